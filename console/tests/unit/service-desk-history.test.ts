import { describe, expect, it, vi } from 'vitest';
import { nameCache, usePaged } from '@/views/service-desk/history';
import { pointsText } from '@/views/service-desk/resident';

describe('service desk history lists', () => {
  it('reads a page, then the next with the cursor, and stops at the end', async () => {
    const fetchPage = vi.fn(async (cursor: string | null) =>
      cursor ? { items: [3], next_cursor: null } : { items: [1, 2], next_cursor: 'c2' },
    );
    const l = usePaged<number>(fetchPage);
    await l.load();
    expect(l.items.value).toEqual([1, 2]);
    expect(l.nextCursor.value).toBe('c2');
    await l.load(true);
    expect(fetchPage).toHaveBeenLastCalledWith('c2');
    expect(l.items.value).toEqual([1, 2, 3]);
    await l.load(true); // no cursor left: nothing is read
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(l.loaded.value).toBe(true);
  });

  it('drops a stale answer when the list was read again meanwhile, and says what failed in Chinese', async () => {
    let release: (v: { items: string[] }) => void = () => {};
    const slow = new Promise<{ items: string[] }>((r) => (release = r));
    const fetchPage = vi
      .fn<(c: string | null) => Promise<{ items: string[]; next_cursor?: string | null }>>()
      .mockReturnValueOnce(slow)
      .mockResolvedValueOnce({ items: ['new'] })
      .mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const l = usePaged<string>(fetchPage);
    const first = l.load();
    await l.load();
    release({ items: ['old'] });
    await first;
    expect(l.items.value).toEqual(['new']);
    await l.load();
    expect(l.error.value).toContain('网络连接失败');
    expect(l.items.value).toEqual(['new']);
  });

  it('reads each title once, and remembers those that cannot be read', async () => {
    const read = vi.fn(async (id: string) => {
      if (id === 'gone') throw new Error('404');
      return `标题${id}`;
    });
    const c = nameCache(read);
    await Promise.all([c.want(['a', 'b', 'a']), c.want(['a', 'gone'])]);
    await c.want(['b']);
    expect(read.mock.calls.map((x) => x[0]).sort()).toEqual(['a', 'b', 'gone']);
    expect(c.names.value.get('a')).toBe('标题a');
    expect(c.names.value.get('gone')).toBeNull();
  });

  it('writes ledger amounts with their sign and any shortfall', () => {
    expect(pointsText({ amount: 20, shortfall: 0 })).toBe('+20');
    expect(pointsText({ amount: -15, shortfall: 0 })).toBe('-15');
    expect(pointsText({ amount: -10, shortfall: 5 })).toBe('-10（不足 5 分未扣）');
  });
});
