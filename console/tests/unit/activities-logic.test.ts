import { describe, expect, it } from 'vitest';
import { ApiProblemError, translateProblem } from '@/api/problems';
import type { Activity, Signup } from '@/api/types';
import {
  cameraErrorMessage,
  failureOutcome,
  parseCheckinCode,
  ScanGate,
  successOutcome,
  wasAlreadyCheckedIn,
} from '@/views/activities/checkin';
import {
  activityQuery,
  checkinOpen,
  editable,
  emptyForm,
  formOf,
  formProblems,
  PAGE_SIZE,
  phaseOf,
  toPatch,
  toRequest,
  type ActivityForm,
} from '@/views/activities/form';
import { activityError } from '@/views/activities/problems';

const NOW = new Date('2026-12-03T02:00:00Z'); // 10:00 in China

function activity(over: Partial<Activity> = {}): Activity {
  return {
    id: 'a1',
    site_id: 's1',
    title: '电商培训',
    description: '说明',
    kind: 'training',
    place: '三楼',
    starts_at: '2026-12-05T06:00:00Z',
    ends_at: '2026-12-05T08:00:00Z',
    signup_opens_at: '2026-12-01T00:00:00Z',
    signup_closes_at: '2026-12-05T06:00:00Z',
    capacity: 30,
    seats_left: 10,
    waitlist_enabled: true,
    whole_site: true,
    contact: '李老师',
    employer_ids: [],
    finished: false,
    ...over,
  };
}

function filled(over: Partial<ActivityForm> = {}): ActivityForm {
  return {
    ...emptyForm(),
    title: '电商培训',
    description: '教开网店',
    kind: 'training',
    place: '三楼',
    contact: '李老师',
    startsAt: new Date('2026-12-05T06:00:00Z'),
    endsAt: new Date('2026-12-05T08:00:00Z'),
    capacity: 30,
    ...over,
  };
}

function signup(over: Partial<Signup> = {}): Signup {
  return {
    id: 'su1',
    activity_id: 'a1',
    resident_id: 'r1',
    status: 'attended',
    code: 'Abc_123-xyz',
    on_behalf: false,
    created_at: '2026-12-01T00:00:00Z',
    checked_in_at: '2026-12-05T05:30:00Z',
    ...over,
  };
}

describe('check-in code from a QR payload', () => {
  it('takes the code itself, trimmed (a handheld scanner may add a newline)', () => {
    expect(parseCheckinCode('2cqFNBiDwc_LLgv7')).toBe('2cqFNBiDwc_LLgv7');
    expect(parseCheckinCode('  yIL9Jl1lHEAlqyeS\n')).toBe('yIL9Jl1lHEAlqyeS');
  });

  it('reads a link that carries the code', () => {
    expect(parseCheckinCode('https://anju.example/checkin?code=sByR9tXPwIPbetoB')).toBe('sByR9tXPwIPbetoB');
  });

  it('refuses what is not a check-in code', () => {
    expect(parseCheckinCode('')).toBeNull();
    expect(parseCheckinCode('https://example.com/')).toBeNull();
    expect(parseCheckinCode('https://example.com/?code=bad code')).toBeNull();
    expect(parseCheckinCode('6901234567892 extra')).toBeNull();
    expect(parseCheckinCode('x'.repeat(33))).toBeNull();
    expect(parseCheckinCode('签到码')).toBeNull();
  });
});

describe('check-in results', () => {
  it('tells a first check-in from a repeated one by the server’s clock', () => {
    const s = signup({ checked_in_at: '2026-12-05T05:30:00Z' });
    expect(wasAlreadyCheckedIn(s, 'Sat, 05 Dec 2026 05:30:01 GMT', false)).toBe(false);
    expect(wasAlreadyCheckedIn(s, 'Sat, 05 Dec 2026 05:45:00 GMT', false)).toBe(true);
    // Known as attended before the scan: a repeat whatever the clocks say.
    expect(wasAlreadyCheckedIn(s, 'Sat, 05 Dec 2026 05:30:01 GMT', true)).toBe(true);
    // No Date header: the local clock.
    expect(wasAlreadyCheckedIn(s, null, false, new Date('2026-12-05T05:30:02Z'))).toBe(false);
  });

  it('names the resident in the big line', () => {
    expect(successOutcome(signup(), '高涛', false)).toMatchObject({ kind: 'checked_in', title: '高涛 签到成功' });
    expect(successOutcome(signup(), '高涛', true)).toMatchObject({ kind: 'already', title: '高涛 已签到过' });
    expect(successOutcome(signup(), '', false).title).toBe('该居民 签到成功');
  });

  it('turns each refusal into what the person at the door needs to know', () => {
    const problem = (body: object, status: number) => new ApiProblemError(translateProblem(body, { status }));
    expect(failureOutcome(problem({ code: 'validation_failed', status: 422, errors: { code: 'no sign-up' } }, 422)).kind).toBe(
      'not_signed_up',
    );
    expect(failureOutcome(problem({ code: 'not_found', status: 404 }, 404)).kind).toBe('not_signed_up');
    expect(failureOutcome(problem({ code: 'not_confirmed', status: 409 }, 409)).kind).toBe('not_confirmed');
    expect(failureOutcome(problem({ code: 'checkin_closed', status: 409 }, 409)).kind).toBe('closed');
    expect(failureOutcome(new TypeError('Failed to fetch'))).toMatchObject({ kind: 'error', detail: expect.stringContaining('网络') });
  });

  it('reads a code held in front of the camera once', () => {
    const gate = new ScanGate(3000);
    expect(gate.pass('A', 0)).toBe(true);
    expect(gate.pass('A', 1000)).toBe(false);
    expect(gate.pass('A', 3500)).toBe(false); // still held: every frame extends the quiet time
    expect(gate.pass('B', 3600)).toBe(true);
    expect(gate.pass('A', 3700)).toBe(true);
    expect(gate.pass('A', 7000)).toBe(true);
  });

  it('says why the camera did not start', () => {
    expect(cameraErrorMessage(Object.assign(new Error('x'), { name: 'NotAllowedError' }))).toContain('权限');
    expect(cameraErrorMessage({ name: 'NotFoundError' })).toContain('没有找到摄像头');
    expect(cameraErrorMessage('odd')).toContain('摄像头没有打开');
  });
});

describe('activity form', () => {
  it('names every missing field of a new activity', () => {
    const e = formProblems({ ...emptyForm(), capacity: null }, NOW);
    expect(Object.keys(e).sort()).toEqual(
      ['capacity', 'contact', 'description', 'endsAt', 'kind', 'place', 'startsAt', 'title'].sort(),
    );
  });

  it('checks the schedule as the server does', () => {
    expect(formProblems(filled(), NOW)).toEqual({});
    expect(formProblems(filled({ endsAt: new Date('2026-12-05T06:00:00Z') }), NOW).endsAt).toBe('结束时间要晚于开始时间');
    expect(formProblems(filled({ startsAt: new Date('2026-12-03T01:00:00Z') }), NOW).startsAt).toBe('开始时间要晚于现在');
    expect(
      formProblems(filled({ signupClosesAt: new Date('2026-12-05T09:00:00Z') }), NOW).signupClosesAt,
    ).toBe('报名截止不能晚于活动结束');
    expect(
      formProblems(
        filled({ signupOpensAt: new Date('2026-12-04T00:00:00Z'), signupClosesAt: new Date('2026-12-03T12:00:00Z') }),
        NOW,
      ).signupClosesAt,
    ).toBe('报名截止要晚于报名开始');
  });

  it('checks seats and points', () => {
    expect(formProblems(filled({ capacity: 0 }), NOW).capacity).toBeDefined();
    expect(formProblems(filled({ capacity: 100_001 }), NOW).capacity).toBeDefined();
    expect(formProblems(filled({ capacity: 2.5 }), NOW).capacity).toBeDefined();
    const points = formProblems(filled({ pointsOn: true, pointsCategory: '', pointsAmount: 101 }), NOW);
    expect(points.pointsCategory).toBe('请选择积分类别');
    expect(points.pointsAmount).toBe('积分应为 1 到 100 之间的整数');
  });

  it('lets an activity that has started keep its start when edited', () => {
    const started = activity({
      starts_at: '2026-12-03T01:00:00Z',
      ends_at: '2026-12-03T04:00:00Z',
      signup_closes_at: '2026-12-03T01:00:00Z',
    });
    expect(formProblems({ ...formOf(started), title: '新名称' }, NOW, started)).toEqual({});
    const moved = { ...formOf(started), startsAt: new Date('2026-12-03T01:30:00Z') };
    expect(formProblems(moved, NOW, started).startsAt).toBe('开始时间要晚于现在');
  });

  it('builds the request with defaults left to the server', () => {
    const r = toRequest(filled({ groupIds: ['g1'], pointsOn: true, pointsCategory: 'policy_savvy', pointsAmount: 5 }), 's1');
    expect(r).toEqual({
      site_id: 's1',
      title: '电商培训',
      description: '教开网店',
      kind: 'training',
      place: '三楼',
      contact: '李老师',
      starts_at: '2026-12-05T06:00:00.000Z',
      ends_at: '2026-12-05T08:00:00.000Z',
      capacity: 30,
      waitlist: true,
      audience: { group_ids: ['g1'] },
      points: { category: 'policy_savvy', amount: 5 },
    });
    // Employers only for job fairs.
    expect(toRequest(filled({ employerIds: ['e1'] }), 's1').employer_ids).toBeUndefined();
    expect(toRequest(filled({ kind: 'job_fair', employerIds: ['e1'] }), 's1').employer_ids).toEqual(['e1']);
  });

  it('sends only what changed in an edit', () => {
    const a = activity();
    expect(toPatch(formOf(a), a)).toEqual({});
    const f = { ...formOf(a), place: ' 二楼 ', capacity: 40, startsAt: new Date('2026-12-05T06:30:00Z') };
    expect(toPatch(f, a)).toEqual({ place: '二楼', capacity: 40, starts_at: '2026-12-05T06:30:00.000Z' });
  });
});

describe('activity list and phases', () => {
  it('asks for activities by kind and by the days they start', () => {
    expect(activityQuery({ kind: '', range: null })).toEqual({ limit: PAGE_SIZE });
    const q = activityQuery({ kind: 'sports', range: [new Date(2026, 11, 1), new Date(2026, 11, 3)] }, 'c');
    expect(q.kind).toBe('sports');
    expect(q.cursor).toBe('c');
    // Local days, the last one included.
    expect(new Date(q.from as string).getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(new Date(q.to as string).getTime()).toBe(new Date(2026, 11, 4).getTime());
  });

  it('follows an activity from sign-up to attendance', () => {
    const a = activity({ signup_opens_at: '2026-12-04T00:00:00Z' });
    expect(phaseOf(a, NOW)).toBe('upcoming');
    expect(phaseOf(a, new Date('2026-12-04T01:00:00Z'))).toBe('signup');
    expect(phaseOf(a, new Date('2026-12-05T06:00:00Z'))).toBe('ongoing');
    expect(phaseOf(activity({ signup_closes_at: '2026-12-05T05:00:00Z' }), new Date('2026-12-05T05:30:00Z'))).toBe('signup_closed');
    expect(phaseOf(a, new Date('2026-12-05T08:00:00Z'))).toBe('ended');
    expect(phaseOf(activity({ finished: true }), NOW)).toBe('finished');
  });

  it('opens check-in an hour before the start until the end, and edits until the end', () => {
    const a = activity();
    expect(checkinOpen(a, new Date('2026-12-05T04:59:00Z'))).toBe(false);
    expect(checkinOpen(a, new Date('2026-12-05T05:00:00Z'))).toBe(true);
    expect(checkinOpen(a, new Date('2026-12-05T08:00:00Z'))).toBe(true);
    expect(checkinOpen(a, new Date('2026-12-05T08:00:01Z'))).toBe(false);
    expect(editable(a, new Date('2026-12-05T07:59:00Z'))).toBe(true);
    expect(editable(a, new Date('2026-12-05T08:00:00Z'))).toBe(false);
  });

  it('translates the activity problem codes the shared table does not know', () => {
    expect(activityError(new ApiProblemError(translateProblem({ code: 'activity_over', status: 409 })))).toBe(
      '活动已经结束，不能再修改。',
    );
  });
});
