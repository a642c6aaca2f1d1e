import { describe, expect, it } from 'vitest';
import { FIELD_LABELS, PROBLEM_MESSAGES, translateProblem } from '@/api/problems';

// Conflict codes the API answers with that staff meet on the console's screens.
const CODES = [
  'duplicate_application',
  'own_claim',
  'own_household_claim',
  'valid_through_passed',
  'already_ended',
  'activity_over',
  'not_confirmed',
  'checkin_closed',
  'cannot_disable_self',
  'phone_or_resident_taken',
  'credit_code_taken',
  'objection_pending',
  'publicity_open',
  'insufficient_points',
  'out_of_stock',
  'already_signed_up',
  'signup_closed',
  'activity_full',
  'job_not_open',
  'illegal_transition',
] as const;

describe('problem codes: every one has a short Chinese message', () => {
  it.each(CODES)('%s', (code) => {
    const m = PROBLEM_MESSAGES[code];
    expect(m, code).toMatch(/[\u4e00-\u9fff]/);
    expect(m, code).not.toMatch(/[A-Za-z]/);
    expect([...(m ?? '')].length, code).toBeLessThanOrEqual(40);
    const t = translateProblem({ code, status: 409, detail: 'English detail' });
    expect(t.message).toBe(m);
    expect(t.message).not.toContain(code);
  });

  it('names the assisted-action reason field in Chinese', () => {
    const t = translateProblem({
      code: 'validation_failed',
      status: 422,
      errors: { reason: 'must be at most 200 characters' },
    });
    expect(t.fields[0]?.label).toBe(FIELD_LABELS.reason);
    expect(FIELD_LABELS.reason).toBe('原因');
  });
});
