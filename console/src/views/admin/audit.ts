// The 审计日志 tab's logic: labels and a compact view of an event's details.
import { AUDIT_ACTION_LABELS, AUDIT_TARGET_LABELS, ROLE_LABELS } from '@/labels';
import type { paths, Role } from '@/api/types';

export const PAGE_SIZE = 50;

export function actionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action;
}

export function targetLabel(type: string): string {
  return AUDIT_TARGET_LABELS[type] ?? type;
}

export function actorRoleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role as Role] ?? role;
}

/** One line of JSON (`{"fields":["phone"]}`), cut to `max` characters; '' for nothing. */
export function compactJson(value: unknown, max = 120): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return '';
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
  return [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
}

/** Indented JSON for the full view. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? '';
  } catch {
    return '';
  }
}

/**
 * The last 8 characters of an id, enough to tell rows apart on screen (ids are UUIDv7: their
 * first characters are a timestamp and shared by everything made the same day).
 */
export function shortId(id: string | null | undefined): string {
  return id ? `…${id.slice(-8)}` : '—';
}

// ---- Filters ---------------------------------------------------------------------------------

export type AuditQuery = NonNullable<paths['/api/v1/audit-events']['get']['parameters']['query']>;

/** The kinds of action offered in the filter: the server matches an action ending in a dot as a prefix. */
export const AUDIT_KINDS: readonly { value: string; label: string }[] = [
  { value: '', label: '全部' },
  { value: 'resident.', label: '居民档案' },
  { value: 'claim.', label: '积分申报' },
  { value: 'activity.', label: '活动报名' },
  { value: 'application.', label: '求职申请' },
  { value: 'store.', label: '积分兑换' },
  { value: 'account.', label: '账号' },
  { value: 'broadcast.', label: '通知' },
];

export interface AuditFilters {
  /** A kind from `AUDIT_KINDS` ('' for all). */
  kind: string;
  /** An exact action typed in (`resident.update`); wins over `kind` when given. */
  action: string;
  actorAccountId: string;
  targetId: string;
  /** The resident an assisted action was done for. */
  onBehalfOf: string;
  /** [since, until] as the date picker gives them, or null. */
  range: [Date, Date] | null;
}

export function emptyAuditFilters(): AuditFilters {
  return { kind: '', action: '', actorAccountId: '', targetId: '', onBehalfOf: '', range: null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What an action may look like: lowercase words joined by dots, optionally ending in a dot. */
const ACTION = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/;

/** Field -> what is wrong with the filters; empty when they can be sent. */
export function auditFilterProblems(f: AuditFilters): Record<string, string> {
  const errors: Record<string, string> = {};
  const action = f.action.trim().toLowerCase();
  if (action && (action.length > 100 || !ACTION.test(action))) {
    errors.action = '请填写操作代码，例如 resident.update';
  }
  const ids: [keyof AuditFilters, string][] = [
    ['actorAccountId', '请填写完整的账号 ID'],
    ['targetId', '请填写完整的对象 ID'],
    ['onBehalfOf', '请填写完整的居民 ID'],
  ];
  for (const [field, message] of ids) {
    const v = (f[field] as string).trim();
    if (v && !UUID.test(v)) errors[field] = message;
  }
  if (f.range && !(f.range[1].getTime() > f.range[0].getTime())) {
    errors.range = '结束时间应晚于开始时间';
  }
  return errors;
}

/** An instant in RFC 3339 with the browser's offset, to the second (`2026-03-01T08:00:00+08:00`). */
export function rfc3339(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}` +
    `T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` +
    `${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`
  );
}

/** The list query for the filters (assumed checked by `auditFilterProblems`). */
export function auditQuery(f: AuditFilters, cursor?: string | null): AuditQuery {
  const q: AuditQuery = { limit: PAGE_SIZE };
  const action = f.action.trim().toLowerCase() || f.kind;
  if (action) q.action = action;
  const actor = f.actorAccountId.trim();
  if (actor) q.actor_account_id = actor.toLowerCase();
  const target = f.targetId.trim();
  if (target) q.target_id = target.toLowerCase();
  const resident = f.onBehalfOf.trim();
  if (resident) q.on_behalf_of = resident.toLowerCase();
  if (f.range) {
    q.since = rfc3339(f.range[0]);
    q.until = rfc3339(f.range[1]);
  }
  if (cursor) q.cursor = cursor;
  return q;
}

/** Whether any filter is set (the empty-table text says so). */
export function auditFiltered(f: AuditFilters): boolean {
  return Object.keys(auditQuery(f)).length > 1;
}

/** Known actions whose code or Chinese name contains `text`, for the exact-action box. */
export function actionSuggestions(text: string): { value: string; label: string }[] {
  const t = text.trim().toLowerCase();
  return Object.entries(AUDIT_ACTION_LABELS)
    .filter(([code, label]) => !t || code.includes(t) || label.includes(t))
    .map(([value, label]) => ({ value, label }));
}
