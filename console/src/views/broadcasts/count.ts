// The expected number of recipients, asked of the API as the audience picker changes: requests
// wait `delay` ms for the picking to settle, and an answer for an audience since changed is dropped.
import { ref, type Ref } from 'vue';
import { errorMessage } from '@/api/problems';
import type { BroadcastAudience } from '@/api/types';

export interface AudienceCount {
  /** Recipients of the current audience; null while unknown. */
  recipients: Ref<number | null>;
  /** Waiting for the picking to settle or for the answer. */
  loading: Ref<boolean>;
  error: Ref<string>;
  /** Counts this audience (after the delay); null when there is no audience to count. */
  request(audience: BroadcastAudience | null): void;
  /** The count of the current audience, asking at once when it is not known yet (throws on failure). */
  now(): Promise<number>;
  /** Stops a waiting request (on unmount). */
  stop(): void;
}

export function useAudienceCount(
  fetchCount: (audience: BroadcastAudience) => Promise<number>,
  delay = 300,
): AudienceCount {
  const recipients = ref<number | null>(null);
  const loading = ref(false);
  const error = ref('');
  let current: BroadcastAudience | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bumped by each request: an answer read under an older number is stale.
  let generation = 0;
  let pending: { generation: number; answer: Promise<number> } | null = null;

  function stop(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function start(): Promise<number> {
    stop();
    const mine = generation;
    const audience = current ?? {};
    loading.value = true;
    error.value = '';
    const answer = (async () => {
      try {
        const n = await fetchCount(audience);
        if (mine === generation) recipients.value = n;
        return n;
      } catch (e) {
        if (mine === generation) error.value = errorMessage(e);
        throw e;
      } finally {
        if (mine === generation) loading.value = false;
        if (pending?.generation === mine) pending = null;
      }
    })();
    pending = { generation: mine, answer };
    // A failure is shown through `error`; callers of `now()` get it too.
    answer.catch(() => undefined);
    return answer;
  }

  function request(audience: BroadcastAudience | null): void {
    stop();
    generation++;
    pending = null;
    current = audience;
    recipients.value = null;
    error.value = '';
    loading.value = audience !== null;
    if (audience !== null) timer = setTimeout(() => void start(), delay);
  }

  function now(): Promise<number> {
    if (current === null) return Promise.reject(new Error('no audience'));
    if (recipients.value !== null && !loading.value) return Promise.resolve(recipients.value);
    if (pending?.generation === generation) return pending.answer;
    return start();
  }

  return { recipients, loading, error, request, now, stop };
}
