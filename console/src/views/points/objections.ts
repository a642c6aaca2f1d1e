// The objections queue (异议处理): residents object to a claim while it is publicized (or after it
// is credited); staff uphold the objection (the claim is rejected, credited points reversed) or
// dismiss it. The objector is never shown.
import type { Claim, Objection, ObjectionStatus } from '@/api/types';

/** The status filter's buttons, the queue (待处理) first. */
export const OBJECTION_FILTERS: readonly { status: ObjectionStatus; title: string }[] = [
  { status: 'pending', title: '待处理' },
  { status: 'upheld', title: '已支持' },
  { status: 'dismissed', title: '已驳回' },
];

export type ObjectionDecision = 'uphold' | 'dismiss';

export const DECISION_LABELS: Record<ObjectionDecision, string> = {
  uphold: '支持异议',
  dismiss: '驳回异议',
};

/** What each decision does, for the prompt. */
export const DECISION_HINTS: Record<ObjectionDecision, string> = {
  uphold: '支持后，这条申报将被驳回；已入账的积分会被扣回。请填写理由（可不填，默认为异议理由）。',
  dismiss: '驳回后，这条申报照常办理。请填写理由（可不填，默认为异议理由）。',
};

/** Known objection statuses; anything else the server says shows as it is. */
export function isObjectionStatus(s: string): s is ObjectionStatus {
  return s === 'pending' || s === 'upheld' || s === 'dismissed';
}

/** Whether an objection still waits for a decision (only those have the two buttons). */
export function mayDecide(o: Pick<Objection, 'status'>): boolean {
  return o.status === 'pending';
}

/** Checks a decision's reason (optional, at most 500 characters); the problem, or null. */
export function checkDecisionReason(reason: string | null | undefined): string | null {
  const r = (reason ?? '').trim();
  if ([...r].length > 500) return '理由最多 500 个字。';
  return null;
}

/** The body of `POST /points/objections/{id}/uphold|dismiss`: the reason only when one was typed. */
export function decisionBody(reason: string | null | undefined): { reason?: string } {
  const r = (reason ?? '').trim();
  return r ? { reason: r } : {};
}

/** The tag colour of an objection's status. */
export function objectionTag(status: string): 'warning' | 'success' | 'info' {
  if (status === 'pending') return 'warning';
  if (status === 'upheld') return 'success';
  return 'info';
}

/**
 * Who a claim is about, for a list row: the resident's name the API gives staff and leaders,
 * else `fallback` (a name looked up elsewhere), else a dash.
 */
export function claimResident(
  claim: Pick<Claim, 'resident_name'> | null | undefined,
  fallback?: string | null,
): string {
  const name = claim?.resident_name?.trim();
  if (name) return name;
  const other = fallback?.trim();
  return other || '—';
}

/** A claim's description cut to `max` characters for a table cell. */
export function shortText(text: string, max = 40): string {
  const chars = [...text.trim()];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
