import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAudienceCount } from '@/views/broadcasts/count';
import type { BroadcastAudience } from '@/api/types';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('audience count', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for the picking to settle, then asks once for the last audience', async () => {
    const asked: BroadcastAudience[] = [];
    const c = useAudienceCount(async (a) => {
      asked.push(a);
      return a.working_age ? 5 : 40;
    });
    c.request({});
    expect(c.loading.value).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    c.request({ working_age: true });
    await vi.advanceTimersByTimeAsync(299);
    expect(asked).toEqual([]);
    expect(c.recipients.value).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([{ working_age: true }]);
    expect(c.recipients.value).toBe(5);
    expect(c.loading.value).toBe(false);
  });

  it('drops an answer for an audience that has changed since', async () => {
    const answers = [deferred<number>(), deferred<number>()];
    let i = 0;
    const c = useAudienceCount(() => answers[i++]!.promise);
    c.request({ job_seeking: true });
    await vi.advanceTimersByTimeAsync(300);
    c.request({});
    await vi.advanceTimersByTimeAsync(300);
    answers[1]!.resolve(40);
    answers[0]!.resolve(3);
    await vi.runAllTimersAsync();
    expect(c.recipients.value).toBe(40);
    expect(c.loading.value).toBe(false);
  });

  it('counts nothing without an audience', async () => {
    const fetch = vi.fn(async () => 1);
    const c = useAudienceCount(fetch);
    c.request(null);
    await vi.advanceTimersByTimeAsync(500);
    expect(fetch).not.toHaveBeenCalled();
    expect(c.loading.value).toBe(false);
    expect(c.recipients.value).toBeNull();
    await expect(c.now()).rejects.toThrow();
  });

  it('shows a failure and asks again when the number is needed', async () => {
    let fail = true;
    const fetch = vi.fn(async () => {
      if (fail) throw new Error('down');
      return 7;
    });
    const c = useAudienceCount(fetch);
    c.request({});
    await vi.advanceTimersByTimeAsync(300);
    expect(c.error.value).not.toBe('');
    expect(c.recipients.value).toBeNull();
    fail = false;
    await expect(c.now()).resolves.toBe(7);
    expect(c.error.value).toBe('');
    expect(c.recipients.value).toBe(7);
    // Known now: no further request.
    await expect(c.now()).resolves.toBe(7);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks at once when the number is needed before the picking settled', async () => {
    const fetch = vi.fn(async () => 9);
    const c = useAudienceCount(fetch);
    c.request({ group_ids: ['g1'] });
    await expect(c.now()).resolves.toBe(9);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('joins a request already under way', async () => {
    const answer = deferred<number>();
    const fetch = vi.fn(() => answer.promise);
    const c = useAudienceCount(fetch);
    c.request({});
    await vi.advanceTimersByTimeAsync(300);
    const n = c.now();
    answer.resolve(11);
    await expect(n).resolves.toBe(11);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('stops a waiting request', async () => {
    const fetch = vi.fn(async () => 1);
    const c = useAudienceCount(fetch);
    c.request({});
    c.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetch).not.toHaveBeenCalled();
  });
});
