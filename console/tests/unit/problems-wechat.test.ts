import { describe, expect, it } from 'vitest';
import { FIELD_LABELS, PROBLEM_MESSAGES, translateProblem } from '@/api/problems';

// WeChat binding, subscription messages, claim photos and push channels.
const EXPECTED: Record<string, string> = {
  wechat_not_bound: '请先绑定微信',
  account_has_wechat: '该账号已绑定其他微信，请先解绑',
  wechat_bound_elsewhere: '这个微信已绑定其他账号',
  wechat_code_invalid: '微信登录已失效，请重试',
  wechat_ticket_invalid: '绑定已超时，请重新登录',
  claim_closed: '该申请已审核，不能再加照片',
  push_provider_unavailable: '暂不支持此推送通道',
};

describe('problem codes: WeChat and push', () => {
  it.each(Object.entries(EXPECTED))('%s', (code, text) => {
    const m = PROBLEM_MESSAGES[code];
    expect(m).toBe(`${text}。`);
    expect(m).not.toMatch(/[A-Za-z]/);
    expect(translateProblem({ code, status: 409, detail: 'English detail' }).message).toBe(m);
  });

  it('names the template fields in Chinese', () => {
    const t = translateProblem({
      code: 'validation_failed',
      status: 422,
      errors: { template_id: 'must be the template id', fields: 'must map 1 to 10 template fields' },
    });
    expect(t.fields.map((f) => f.label)).toEqual([FIELD_LABELS.template_id, FIELD_LABELS.fields]);
    expect(FIELD_LABELS.template_id).toBe('模板编号');
  });
});
