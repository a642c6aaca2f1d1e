// The resident's recent history at the desk: applications, sign-ups and notifications sent, each a
// cursor-paged list. Applications and sign-ups carry only ids: their titles are read once each.
import { computed, ref, type Ref } from 'vue';
import { api } from '@/api/client';
import { useCursorList } from '@/api/cursor-list';
import { unwrap } from '@/api/problems';
import type { Application, Notification, Signup } from '@/api/types';

export const HISTORY_PAGE = 20;

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface Paged<T> {
  items: Ref<T[]>;
  nextCursor: Ref<string | null>;
  loading: Readonly<Ref<boolean>>;
  error: Ref<string>;
  /** Whether the first page has arrived. */
  loaded: Ref<boolean>;
  /** The first page again (`more` false) or the next one. */
  load(more?: boolean): Promise<void>;
}

/** A list read a page at a time through the API's cursor; a stale answer is dropped. */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>): Paged<T> {
  const list = useCursorList<T>((_, cursor) => fetchPage(cursor));
  return {
    items: list.rows,
    nextCursor: list.nextCursor,
    loading: computed(() => list.loading.value || list.loadingMore.value),
    error: list.error,
    loaded: list.searched,
    load: (more = false) => (more ? list.loadMore() : list.search()),
  };
}

/** Reads a name once per id (titles of jobs and activities); a failed read is remembered as null. */
export function nameCache(read: (id: string) => Promise<string>): {
  names: Ref<Map<string, string | null>>;
  want(ids: readonly string[]): Promise<void>;
} {
  const names = ref(new Map<string, string | null>());
  const pending = new Map<string, Promise<void>>();
  async function want(ids: readonly string[]): Promise<void> {
    const todo = [...new Set(ids)].filter((id) => !names.value.has(id) && !pending.has(id));
    await Promise.all(
      todo.map((id) => {
        const p = read(id)
          .then((name) => {
            names.value = new Map(names.value).set(id, name);
          })
          .catch(() => {
            names.value = new Map(names.value).set(id, null);
          })
          .finally(() => pending.delete(id));
        pending.set(id, p);
        return p;
      }),
    );
    await Promise.all(ids.map((id) => pending.get(id)).filter(Boolean));
  }
  return { names, want };
}

export function residentApplications(residentId: string, cursor: string | null): Promise<Page<Application>> {
  return unwrap(
    api().GET('/api/v1/residents/{id}/applications', {
      params: { path: { id: residentId }, query: { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

export function residentSignups(residentId: string, cursor: string | null): Promise<Page<Signup>> {
  return unwrap(
    api().GET('/api/v1/residents/{id}/signups', {
      params: { path: { id: residentId }, query: { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

export function residentNotifications(
  residentId: string,
  cursor: string | null,
): Promise<Page<Notification>> {
  return unwrap(
    api().GET('/api/v1/residents/{id}/notifications', {
      params: { path: { id: residentId }, query: { limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );
}

export async function jobTitle(id: string): Promise<string> {
  return (await unwrap(api().GET('/api/v1/jobs/{id}', { params: { path: { id } } }))).title;
}

export async function activityTitle(id: string): Promise<string> {
  return (await unwrap(api().GET('/api/v1/activities/{id}', { params: { path: { id } } }))).title;
}

/** Whether a notification was read, in words. */
export function readText(n: Pick<Notification, 'read_at'>): string {
  return n.read_at ? '已读' : '未读';
}
