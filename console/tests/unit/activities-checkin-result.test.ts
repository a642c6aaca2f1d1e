import { describe, expect, it } from 'vitest';
import type { Signup } from '@/api/types';
import { checkinName, checkinToast, isRepeat, resultLine, successOutcome } from '@/views/activities/checkin';
import { signupName } from '@/views/activities/residents';

const signup = (over: Partial<Signup> = {}): Signup => ({
  id: 'su1',
  activity_id: 'a1',
  resident_id: 'r1',
  status: 'attended',
  code: 'GOODCODE1234',
  on_behalf: false,
  created_at: '2026-12-01T00:00:00Z',
  checked_in_at: '2026-12-05T05:30:00Z',
  ...over,
});

describe('check-in answer', () => {
  it('believes the server’s repeat flag over the clocks', () => {
    expect(isRepeat({ ...signup(), repeat: true }, 'Sat, 05 Dec 2026 05:30:01 GMT', false)).toBe(true);
    expect(isRepeat({ ...signup(), repeat: false }, 'Sat, 05 Dec 2026 09:00:00 GMT', true)).toBe(false);
    // Without the flag: the clocks, as before.
    expect(isRepeat(signup(), 'Sat, 05 Dec 2026 05:45:00 GMT', false)).toBe(true);
    expect(isRepeat(signup(), 'Sat, 05 Dec 2026 05:30:01 GMT', false)).toBe(false);
  });

  it('takes the name from the answer, else the one looked up', () => {
    expect(checkinName({ resident_name: '高涛' }, '别人')).toBe('高涛');
    expect(checkinName({ resident_name: null }, '冯艳')).toBe('冯艳');
    expect(checkinName({}, undefined)).toBe('');
    expect(signupName({ resident_name: ' 高涛 ' })).toBe('高涛');
    expect(signupName({}, '冯艳')).toBe('冯艳');
    expect(signupName({})).toBe('');
  });

  it('pops up success or a warning for a repeat', () => {
    expect(checkinToast('高涛', false)).toEqual({ type: 'success', message: '高涛 签到成功' });
    expect(checkinToast('高涛', true)).toEqual({ type: 'warning', message: '高涛 已签到过，无需重复签到' });
    expect(checkinToast('', true).message).toBe('该居民 已签到过，无需重复签到');
  });

  it('keeps the last result as one line with the time', () => {
    const at = new Date(2026, 11, 5, 9, 7);
    expect(resultLine(successOutcome(signup(), '高涛', false), at)).toBe('09:07 高涛 签到成功');
    expect(resultLine(successOutcome(signup(), '高涛', true), at)).toBe('09:07 高涛 已签到过');
  });
});
