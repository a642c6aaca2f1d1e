import { describe, expect, it } from 'vitest';
import type { Claim, Role } from '@/api/types';
import { ApiProblemError, translateProblem } from '@/api/problems';
import {
  checkPhotos,
  checkStep,
  claimActions,
  isStaff,
  mayFileClaims,
  pointsErrorMessage,
  pointsRange,
  progress,
  publicityOver,
  stepBody,
  stepTitle,
} from '@/views/points/claims';

const NOW = new Date('2026-12-03T12:00:00Z');

function claim(over: Partial<Claim> = {}): Claim {
  return {
    id: 'c1',
    household_id: 'h1',
    resident_id: 'r1',
    category: 'environment',
    description: '清扫楼道',
    status: 'applied',
    on_behalf: false,
    created_at: '2026-12-01T00:00:00Z',
    ...over,
  };
}

const staffRoles: Role[] = ['staff', 'site_admin', 'platform_admin'];

describe('claim actions by step and role', () => {
  it('gives staff the next step of each status and rejection until it is credited', () => {
    for (const role of staffRoles) {
      const v = { role, now: NOW };
      expect(claimActions(claim({ status: 'applied' }), v)).toEqual(['verify', 'reject']);
      expect(claimActions(claim({ status: 'verified' }), v)).toEqual(['register', 'reject']);
      expect(claimActions(claim({ status: 'registered' }), v)).toEqual(['publicize', 'reject']);
      expect(claimActions(claim({ status: 'credited' }), v)).toEqual([]);
      expect(claimActions(claim({ status: 'rejected' }), v)).toEqual([]);
    }
  });

  it('offers crediting only once the publicity window has closed', () => {
    const v = { role: 'staff' as const, now: NOW };
    const open = claim({ status: 'publicized', publicity_ends_at: '2026-12-04T12:00:00Z' });
    const closed = claim({ status: 'publicized', publicity_ends_at: '2026-12-03T11:59:59Z' });
    expect(claimActions(open, v)).toEqual(['reject']);
    expect(claimActions(closed, v)).toEqual(['credit', 'reject']);
    expect(publicityOver(open, NOW)).toBe(false);
    expect(publicityOver(closed, NOW)).toBe(true);
    expect(publicityOver(claim({ publicity_ends_at: null }), NOW)).toBe(true);
  });

  it('lets a group leader verify or reject only while the claim is applied', () => {
    const v = { role: 'group_leader' as const, now: NOW };
    expect(claimActions(claim({ status: 'applied' }), v)).toEqual(['verify', 'reject']);
    for (const status of ['verified', 'registered', 'publicized', 'credited', 'rejected'] as const) {
      expect(claimActions(claim({ status, publicity_ends_at: '2026-12-01T00:00:00Z' }), v)).toEqual([]);
    }
  });

  it('does not let a leader verify a claim it filed for the resident', () => {
    const v = { role: 'group_leader' as const, now: NOW };
    expect(claimActions(claim({ on_behalf: true }), v)).toEqual(['reject']);
    // Staff may verify what a leader filed.
    expect(claimActions(claim({ on_behalf: true }), { role: 'staff', now: NOW })).toEqual(['verify', 'reject']);
  });

  it('never lets anyone verify or register a claim of their own household', () => {
    const own = { householdId: 'h1', now: NOW };
    expect(claimActions(claim(), { role: 'group_leader', ...own })).toEqual(['reject']);
    expect(claimActions(claim(), { role: 'staff', ...own })).toEqual(['reject']);
    expect(claimActions(claim({ status: 'verified' }), { role: 'staff', ...own })).toEqual(['reject']);
    expect(claimActions(claim({ status: 'registered' }), { role: 'staff', ...own })).toEqual(['publicize', 'reject']);
    expect(claimActions(claim(), { role: 'staff', householdId: 'h2', now: NOW })).toEqual(['verify', 'reject']);
  });

  it('gives residents, employers, partners and nobody no action', () => {
    for (const role of ['resident', 'employer', 'partner', null] as const) {
      expect(claimActions(claim(), { role, now: NOW })).toEqual([]);
    }
    expect(isStaff('group_leader')).toBe(false);
    expect(isStaff('site_admin')).toBe(true);
  });

  it('lets only group leaders file a claim for a resident (the API takes no staff filing yet)', () => {
    expect(mayFileClaims('group_leader')).toBe(true);
    expect(mayFileClaims('staff')).toBe(false);
    expect(mayFileClaims('resident')).toBe(false);
  });
});

describe('where a claim stands on the seven steps', () => {
  it('points at the step each status waits for', () => {
    expect(progress(claim({ status: 'applied' }))).toEqual({ active: 2, failed: false });
    expect(progress(claim({ status: 'publicized' }))).toEqual({ active: 5, failed: false });
    expect(progress(claim({ status: 'credited' }))).toEqual({ active: 6, failed: false });
  });

  it('stops a rejected claim after the last step it reached', () => {
    const steps = [
      { from: '', to: 'applied', actor_role: 'group_leader', at: '' },
      { from: 'applied', to: 'verified', actor_role: 'staff', at: '' },
      { from: 'verified', to: 'rejected', actor_role: 'staff', reason: '不属实', at: '' },
    ];
    expect(progress(claim({ status: 'rejected', steps }))).toEqual({ active: 3, failed: true });
    expect(progress(claim({ status: 'rejected' }))).toEqual({ active: 2, failed: true });
    expect(stepTitle('rejected')).toBe('驳回');
    expect(stepTitle('credited')).toBe('充值入账');
  });
});

describe('step forms', () => {
  const range = pointsRange(
    [{ category: 'environment', title: '争当环境爱护者', min_points: 1, max_points: 10, customised: false }],
    'environment',
  );

  it('reads the range of the claim category', () => {
    expect(range).toEqual({ min: 1, max: 10 });
    expect(pointsRange([], 'bravery')).toBeNull();
  });

  it('checks points within the range, days 1–30 and a reason to reject', () => {
    expect(checkStep('verify', { points: 5 }, range)).toBeNull();
    expect(checkStep('verify', { points: 11 }, range)).toBe('这一类的积分应在 1–10 分之间。');
    expect(checkStep('verify', { points: null }, range)).toBe('请填写积分。');
    expect(checkStep('publicize', { days: 3 }, range)).toBeNull();
    expect(checkStep('publicize', { days: 31 }, range)).toBe('公示天数应为 1–30 天。');
    expect(checkStep('reject', { reason: '  ' }, range)).toBe('请填写驳回理由。');
    expect(checkStep('reject', { reason: '不'.repeat(501) }, range)).toBe('驳回理由最多 500 个字。');
    expect(checkStep('register', {}, range)).toBeNull();
  });

  it('sends only what the step reads', () => {
    const input = { points: 5, days: 3, reason: ' 不属实 ' };
    expect(stepBody('verify', input)).toEqual({ points: 5 });
    expect(stepBody('publicize', input)).toEqual({ days: 3 });
    expect(stepBody('reject', input)).toEqual({ reason: '不属实' });
    expect(stepBody('register', input)).toEqual({});
    expect(stepBody('credit', input)).toEqual({});
  });

  it('accepts up to three JPEG or PNG photos of at most 2 MB', () => {
    const jpg = { name: 'a.jpg', size: 1000, type: 'image/jpeg' };
    expect(checkPhotos([jpg, jpg, jpg])).toBeNull();
    expect(checkPhotos([jpg, jpg, jpg, jpg])).toBe('最多上传 3 张照片。');
    expect(checkPhotos([{ name: 'b.gif', size: 10, type: 'image/gif' }])).toBe('“b.gif”不是 JPG 或 PNG 图片。');
    expect(checkPhotos([{ name: 'c.png', size: 2 * 1024 * 1024 + 1, type: 'image/png' }])).toBe(
      '“c.png”超过 2 MB，请压缩后再上传。',
    );
  });

  it('translates the conflict-of-interest codes the shared table lacks', () => {
    const own = new ApiProblemError(translateProblem({ code: 'own_household_claim', status: 409 }));
    expect(pointsErrorMessage(own)).toBe('不能认定或登记自己家庭的申报，请由其他人办理。');
    const other = new ApiProblemError(translateProblem({ code: 'publicity_open', status: 409 }));
    expect(pointsErrorMessage(other)).toBe('公示期还没有结束。');
  });
});
