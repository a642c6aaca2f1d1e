// The 审计日志 tab's logic: labels and a compact view of an event's details.
import { AUDIT_ACTION_LABELS, AUDIT_TARGET_LABELS, ROLE_LABELS } from '@/labels';
import type { Role } from '@/api/types';

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
