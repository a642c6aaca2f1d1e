import { describe, expect, it } from 'vitest';
import {
  ApiProblemError,
  NETWORK_ERROR_MESSAGE,
  PROBLEM_MESSAGES,
  errorMessage,
  problemText,
  translateProblem,
  unwrap,
} from '@/api/problems';

function problem(code: string, status: number, extra: Record<string, unknown> = {}) {
  return {
    type: `urn:anju:problem:${code}`,
    title: 'Some title',
    status,
    detail: 'English detail that must not be shown',
    code,
    ...extra,
  };
}

describe('translateProblem', () => {
  it('translates a known code into Chinese and never shows the English detail', () => {
    const t = translateProblem(problem('invalid_credentials', 401));
    expect(t.code).toBe('invalid_credentials');
    expect(t.status).toBe(401);
    expect(t.message).toBe('手机号或密码不正确。');
    expect(t.message).not.toContain('English');
    expect(t.fields).toEqual([]);
  });

  it('covers every code the console relies on', () => {
    for (const code of [
      'validation_failed',
      'not_found',
      'forbidden',
      'invalid_credentials',
      'rate_limited',
      'sms_code_invalid',
      'sms_code_locked',
      'illegal_transition',
      'concurrent_change',
      'unauthenticated',
      'invalid_token',
      'internal',
      'service_unavailable',
    ]) {
      expect(PROBLEM_MESSAGES[code], code).toMatch(/[\u4e00-\u9fff]/);
      expect(translateProblem(problem(code, 400)).message).toBe(PROBLEM_MESSAGES[code]);
    }
  });

  it('falls back to a generic Chinese message naming an unknown code', () => {
    const t = translateProblem(problem('brand_new_rule', 409));
    expect(t.message).toContain('操作没有成功');
    expect(t.message).toContain('brand_new_rule');
    expect(t.status).toBe(409);
  });

  it('falls back for a body that is not a problem at all', () => {
    const t = translateProblem('<html>Bad Gateway</html>', { status: 502 });
    expect(t.code).toBe('');
    expect(t.status).toBe(502);
    expect(t.message).toContain('操作没有成功');
  });

  it('translates field errors: labels in Chinese, known messages in Chinese, others generic', () => {
    const t = translateProblem(
      problem('validation_failed', 422, {
        errors: {
          phone: 'not a mainland mobile number',
          site_id: 'required',
          'quiet_hours.start': 'must be HH:MM',
          mystery_field: 'bad',
        },
      }),
    );
    expect(t.message).toBe(PROBLEM_MESSAGES.validation_failed);
    expect(t.fields).toEqual([
      { field: 'phone', label: '手机号', message: '内容不符合要求' },
      { field: 'site_id', label: '安置点', message: '必填' },
      { field: 'quiet_hours.start', label: 'quiet_hours.start', message: '时间格式应为 时:分' },
      { field: 'mystery_field', label: 'mystery_field', message: '内容不符合要求' },
    ]);
    expect(problemText(t)).toBe(
      `${PROBLEM_MESSAGES.validation_failed}手机号：内容不符合要求；安置点：必填；quiet_hours.start：时间格式应为 时:分；mystery_field：内容不符合要求`,
    );
  });

  it('uses Retry-After for rate limiting', () => {
    expect(translateProblem(problem('rate_limited', 429), { retryAfter: 30 }).message).toBe(
      '操作太频繁，请 30 秒后再试。',
    );
  });
});

describe('unwrap', () => {
  it('returns the data of a successful call', async () => {
    const response = new Response('{}', { status: 200 });
    await expect(unwrap(Promise.resolve({ data: { ok: 1 }, response }))).resolves.toEqual({ ok: 1 });
  });

  it('throws an ApiProblemError in Chinese for a problem response', async () => {
    const response = new Response('', { status: 404 });
    const call = unwrap(Promise.resolve({ error: problem('not_found', 404), response }));
    await expect(call).rejects.toBeInstanceOf(ApiProblemError);
    await expect(call).rejects.toThrow(PROBLEM_MESSAGES.not_found);
  });

  it('reads Retry-After from the response', async () => {
    const response = new Response('', { status: 429, headers: { 'Retry-After': '12' } });
    const err = await unwrap(Promise.resolve({ error: problem('rate_limited', 429), response })).catch(
      (e: unknown) => e,
    );
    expect(errorMessage(err)).toBe('操作太频繁，请 12 秒后再试。');
  });

  it('says "network" for a fetch that never reached the server', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(NETWORK_ERROR_MESSAGE);
  });
});
