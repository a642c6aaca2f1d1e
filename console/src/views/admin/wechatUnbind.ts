// 解绑微信: staff unbind a resident's WeChat for them (POST /accounts/{id}/wechat/unbind), with a reason.
import type { AccountItem, UnbindRequest } from '@/api/types';

export const REASON_MAX = 500;

/** Only residents' and group leaders' accounts log in with WeChat. */
export function mayUnbindWechat(a: AccountItem): boolean {
  return a.role === 'resident' || a.role === 'group_leader';
}

/** What is wrong with the reason ('' when it may be sent). */
export function unbindReasonProblem(reason: string): string {
  const t = reason.trim();
  if (!t) return '请填写原因';
  if ([...t].length > REASON_MAX) return `原因最多 ${REASON_MAX} 个字`;
  return '';
}

export function unbindRequest(reason: string): UnbindRequest {
  return { reason: reason.trim() };
}

/** The server's 404: no such account in reach, or (the usual case) not bound. */
export const NOT_BOUND_MESSAGE = '该账号没有绑定微信';
