// Pages of what the "act for this resident" dialogs offer: published jobs, activities open for
// sign-up, the store's items. Each page follows the API's cursor.
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Activity, Job, JobQuery, Role, StoreItem } from '@/api/types';
import { activityChoice, choiceMatches, itemChoice, jobChoice, signupOpen, type Choice } from './acting';

export const CHOICE_PAGE = 20;

export interface ChoicePage {
  choices: Choice[];
  nextCursor: string | null;
  /** The raw rows by id (the dialog needs an item's price and stock, a job's title). */
  rows: Map<string, Job | Activity | StoreItem>;
}

/** GET /jobs for the job picker: the server searches `text`; staff ask for published ones only. */
export function jobPickerQuery(role: Role | null, text: string, cursor: string | null): JobQuery {
  const q: JobQuery = { limit: CHOICE_PAGE };
  const t = text.trim();
  if (t) q.q = t;
  // Staff see postings in every state unless they filter; leaders see published ones only.
  if (role === 'staff' || role === 'site_admin' || role === 'platform_admin') q.status = 'published';
  if (cursor) q.cursor = cursor;
  return q;
}

export async function jobPage(role: Role | null, text: string, cursor: string | null): Promise<ChoicePage> {
  const page = await unwrap(
    api().GET('/api/v1/jobs', { params: { query: jobPickerQuery(role, text, cursor) } }),
  );
  const jobs = page.items.filter((j) => j.status === 'published');
  return {
    choices: jobs.map(jobChoice),
    nextCursor: page.next_cursor ?? null,
    rows: new Map(jobs.map((j) => [j.id, j])),
  };
}

/**
 * Activities not yet over (the API's default), those whose sign-up is open first. The API has no
 * text search on activities: `text` filters the page here.
 */
export async function activityPage(text: string, cursor: string | null, now = Date.now()): Promise<ChoicePage> {
  const page = await unwrap(
    api().GET('/api/v1/activities', {
      params: { query: { limit: CHOICE_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );
  const shown = page.items.filter((a) => !a.finished);
  const choices = shown
    .map((a) => activityChoice(a, now))
    .filter((c) => choiceMatches(c, text));
  // Open ones first, keeping the API's order (soonest first) within each half.
  const open = new Set(shown.filter((a) => signupOpen(a, now)).map((a) => a.id));
  choices.sort((a, b) => Number(open.has(b.id)) - Number(open.has(a.id)));
  return {
    choices,
    nextCursor: page.next_cursor ?? null,
    rows: new Map(shown.map((a) => [a.id, a])),
  };
}

/**
 * The store of the caller's site, only items of the resident's site (a platform administrator's
 * list is not bound to one); `text` filters the page here (no search on items).
 */
export async function itemPage(
  text: string,
  cursor: string | null,
  balance: number | null,
  siteId: string,
): Promise<ChoicePage> {
  const page = await unwrap(
    api().GET('/api/v1/store/items', {
      params: { query: { limit: CHOICE_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );
  const onSale = page.items.filter((i) => i.active && i.site_id === siteId);
  return {
    choices: onSale.map((i) => itemChoice(i, balance)).filter((c) => choiceMatches(c, text)),
    nextCursor: page.next_cursor ?? null,
    rows: new Map(onSale.map((i) => [i.id, i])),
  };
}
