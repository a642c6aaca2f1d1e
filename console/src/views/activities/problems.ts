// Problem codes of activity endpoints that the shared table (src/api/problems.ts) does not know yet.
import { ApiProblemError, errorMessage } from '@/api/problems';

const EXTRA_MESSAGES: Readonly<Record<string, string>> = {
  activity_over: '活动已经结束，不能再修改。',
  not_confirmed: '这位居民没有确认的名额（在候补名单上或已取消），不能签到。',
  checkin_closed: '现在不能签到：签到时间为活动开始前 1 小时到活动结束。',
};

/** Chinese text for an error of an activity call. */
export function activityError(e: unknown): string {
  if (e instanceof ApiProblemError) {
    const extra = EXTRA_MESSAGES[e.problem.code];
    if (extra) return extra;
  }
  return errorMessage(e);
}
