// A list read a page at a time through the API's cursor ("加载更多"): the first page replaces the
// rows, the next ones are appended; a failed page keeps the rows and says what failed; an answer
// to a search that a newer search has replaced is dropped.
import { ref, type Ref } from 'vue';
import { errorMessage } from './problems';

export interface CursorPage<T> {
  items: T[];
  next_cursor?: string | null;
}

export interface CursorListOptions<F> {
  /** The filters before any search (and after `reset`). */
  initial?: () => F;
  /** The Chinese text of a failure; `errorMessage` unless told. */
  errorText?: (e: unknown) => string;
}

export interface CursorList<T, F> {
  rows: Ref<T[]>;
  nextCursor: Ref<string | null>;
  /** The first page is being read. */
  loading: Ref<boolean>;
  /** A further page is being read. */
  loadingMore: Ref<boolean>;
  error: Ref<string>;
  /** Whether a first page has arrived. */
  searched: Ref<boolean>;
  /** The filters of the list on screen ("加载更多" continues with these, not with edits since). */
  applied: Ref<F>;
  /** Reads the first page, with new filters if given (else with the applied ones). */
  search(filters?: F): Promise<void>;
  /** Reads the first page again with the applied filters. */
  reload(): Promise<void>;
  /** Reads the next page; nothing when there is none or a page is being read. */
  loadMore(): Promise<void>;
  /** Back to the initial filters, and reads the first page. */
  reset(): Promise<void>;
}

export function useCursorList<T, F = void>(
  fetch: (filters: F, cursor: string | null) => Promise<CursorPage<T>>,
  options: CursorListOptions<F> = {},
): CursorList<T, F> {
  const initial = options.initial ?? (() => undefined as F);
  const errorText = options.errorText ?? errorMessage;
  const rows = ref<T[]>([]) as Ref<T[]>;
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loadingMore = ref(false);
  const error = ref('');
  const searched = ref(false);
  const applied = ref(initial()) as Ref<F>;
  // Bumped by each search: an answer read under an older number is stale.
  let generation = 0;

  async function search(filters?: F): Promise<void> {
    if (filters !== undefined) applied.value = filters;
    const mine = ++generation;
    error.value = '';
    loading.value = true;
    loadingMore.value = false;
    try {
      const page = await fetch(applied.value, null);
      if (mine !== generation) return;
      rows.value = page.items;
      nextCursor.value = page.next_cursor ?? null;
      searched.value = true;
    } catch (e) {
      if (mine === generation) error.value = errorText(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value;
    if (!cursor || loading.value || loadingMore.value) return;
    const mine = generation;
    loadingMore.value = true;
    error.value = '';
    try {
      const page = await fetch(applied.value, cursor);
      if (mine !== generation) return;
      rows.value = [...rows.value, ...page.items];
      nextCursor.value = page.next_cursor ?? null;
    } catch (e) {
      if (mine === generation) error.value = errorText(e);
    } finally {
      if (mine === generation) loadingMore.value = false;
    }
  }

  return {
    rows,
    nextCursor,
    loading,
    loadingMore,
    error,
    searched,
    applied,
    search,
    reload: () => search(),
    loadMore,
    reset: () => search(initial()),
  };
}
