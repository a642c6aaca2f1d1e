import { describe, expect, it } from 'vitest';
import { FIELD_LABELS, PROBLEM_MESSAGES, problemText, translateProblem } from '@/api/problems';

describe('field problems with the server’s own Chinese (fields)', () => {
  it('prefers fields[f].message, keeps errors as the fallback, and adds fields only in fields', () => {
    const t = translateProblem({
      code: 'validation_failed',
      status: 422,
      errors: { community_name: 'is required', supervision_phone: 'must be a phone number', site_id: 'required' },
      fields: {
        community_name: { code: 'required', message: '必须填写' },
        supervision_phone: { code: 'format', message: '格式不对' },
        seal_text: { code: 'too_long', message: '最多 50 个字' },
      },
    });
    expect(t.fields).toEqual([
      { field: 'community_name', label: '社区名称（落款）', message: '必须填写' },
      { field: 'supervision_phone', label: '监督电话', message: '格式不对' },
      { field: 'site_id', label: '安置点', message: '必填' },
      { field: 'seal_text', label: '公章文字', message: '最多 50 个字' },
    ]);
    expect(problemText(t)).toBe(
      `${PROBLEM_MESSAGES.validation_failed}社区名称（落款）：必须填写；监督电话：格式不对；安置点：必填；公章文字：最多 50 个字`,
    );
  });

  it('never shows a field message that is not Chinese (an answer in English)', () => {
    const t = translateProblem({
      code: 'validation_failed',
      status: 422,
      errors: { phone: 'not a mainland mobile number' },
      fields: { phone: { code: 'format', message: 'not a mainland mobile number' }, extra: { code: 'invalid', message: 'bad' } },
    });
    expect(t.fields).toEqual([
      { field: 'phone', label: FIELD_LABELS.phone, message: '内容不符合要求' },
      { field: 'extra', label: 'extra', message: '内容不符合要求' },
    ]);
  });

  it('works as before without fields', () => {
    const t = translateProblem({ code: 'validation_failed', status: 422, errors: { phone: 'required' }, fields: null });
    expect(t.fields).toEqual([{ field: 'phone', label: '手机号', message: '必填' }]);
  });
});
