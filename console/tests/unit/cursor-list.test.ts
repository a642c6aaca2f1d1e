import { describe, expect, it, vi } from 'vitest';
import { useCursorList, type CursorPage } from '@/api/cursor-list';

type Fetch = (filters: { q: string }, cursor: string | null) => Promise<CursorPage<number>>;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('useCursorList', () => {
  it('replaces the rows on a search and appends the next page with the applied filters', async () => {
    const fetch = vi.fn<Fetch>(async (_f, cursor) =>
      cursor ? { items: [3], next_cursor: null } : { items: [1, 2], next_cursor: 'c2' },
    );
    const l = useCursorList(fetch, { initial: () => ({ q: '' }) });
    expect(l.applied.value).toEqual({ q: '' });
    await l.search({ q: '张' });
    expect(l.rows.value).toEqual([1, 2]);
    expect(l.nextCursor.value).toBe('c2');
    expect(l.searched.value).toBe(true);
    await l.loadMore();
    expect(fetch).toHaveBeenLastCalledWith({ q: '张' }, 'c2');
    expect(l.rows.value).toEqual([1, 2, 3]);
    expect(l.nextCursor.value).toBeNull();
    await l.reload();
    expect(fetch).toHaveBeenLastCalledWith({ q: '张' }, null);
    expect(l.rows.value).toEqual([1, 2]);
    await l.reset();
    expect(fetch).toHaveBeenLastCalledWith({ q: '' }, null);
    expect(l.applied.value).toEqual({ q: '' });
  });

  it('does nothing on loadMore without a cursor', async () => {
    const fetch = vi.fn<Fetch>(async () => ({ items: [1] }));
    const l = useCursorList(fetch, { initial: () => ({ q: '' }) });
    await l.loadMore();
    expect(fetch).not.toHaveBeenCalled();
    await l.search();
    await l.loadMore();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(l.rows.value).toEqual([1]);
    expect(l.loadingMore.value).toBe(false);
  });

  it('keeps the rows and says what failed when a page cannot be read', async () => {
    const fetch = vi
      .fn<Fetch>()
      .mockResolvedValueOnce({ items: [1], next_cursor: 'c2' })
      .mockRejectedValueOnce(new Error('boom'))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const l = useCursorList(fetch, { initial: () => ({ q: '' }), errorText: (e) => `失败：${(e as Error).message}` });
    await l.search();
    await l.loadMore();
    expect(l.rows.value).toEqual([1]);
    expect(l.nextCursor.value).toBe('c2');
    expect(l.error.value).toBe('失败：boom');
    expect(l.loadingMore.value).toBe(false);
    await l.search();
    expect(l.rows.value).toEqual([1]);
    expect(l.error.value).toBe('失败：Failed to fetch');
    expect(l.loading.value).toBe(false);
  });

  it('turns a failure into Chinese by default', async () => {
    const l = useCursorList<number>(() => Promise.reject(new TypeError('Failed to fetch')));
    await l.search();
    expect(l.error.value).toContain('网络连接失败');
    expect(l.searched.value).toBe(false);
  });

  it('drops the answer of a search that a newer search replaced', async () => {
    const slow = deferred<CursorPage<number>>();
    const fetch = vi
      .fn<Fetch>()
      .mockReturnValueOnce(slow.promise)
      .mockResolvedValueOnce({ items: [2], next_cursor: null });
    const l = useCursorList(fetch, { initial: () => ({ q: '' }) });
    const first = l.search({ q: 'old' });
    expect(l.loading.value).toBe(true);
    await l.search({ q: 'new' });
    slow.resolve({ items: [1], next_cursor: 'stale' });
    await first;
    expect(l.rows.value).toEqual([2]);
    expect(l.nextCursor.value).toBeNull();
    expect(l.applied.value).toEqual({ q: 'new' });
    expect(l.loading.value).toBe(false);
  });

  it('drops a next page that arrives after a new search', async () => {
    const slow = deferred<CursorPage<number>>();
    const fetch = vi
      .fn<Fetch>()
      .mockResolvedValueOnce({ items: [1], next_cursor: 'c2' })
      .mockReturnValueOnce(slow.promise)
      .mockResolvedValueOnce({ items: [9], next_cursor: null });
    const l = useCursorList(fetch, { initial: () => ({ q: '' }) });
    await l.search();
    const more = l.loadMore();
    expect(l.loadingMore.value).toBe(true);
    await l.search({ q: 'x' });
    slow.resolve({ items: [2], next_cursor: 'c3' });
    await more;
    expect(l.rows.value).toEqual([9]);
    expect(l.nextCursor.value).toBeNull();
    expect(l.loadingMore.value).toBe(false);
  });
});
