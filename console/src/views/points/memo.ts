// Lists kept for the signed-in account while the console stays open (what this login did just
// now: calls published, claims filed, deductions made), shown beside the API's own lists. They
// are dropped when another account signs in.
import { ref, type Ref } from 'vue';
import { useSessionStore } from '@/stores/session';

const lists = new Map<string, { owner: string | null; rows: Ref<unknown[]> }>();

export function sessionRows<T>(name: string): Ref<T[]> {
  const owner = useSessionStore().me?.account_id ?? null;
  let entry = lists.get(name);
  if (!entry || entry.owner !== owner) {
    entry = { owner, rows: ref<unknown[]>([]) };
    lists.set(name, entry);
  }
  return entry.rows as Ref<T[]>;
}

/** Puts a row first, replacing an older copy with the same id. */
export function upsertFirst<T extends { id: string }>(rows: Ref<T[]>, row: T): void {
  rows.value = [row, ...rows.value.filter((r) => r.id !== row.id)];
}

/** Replaces a row in place (keeps its position), if it is there. */
export function replaceRow<T extends { id: string }>(rows: Ref<T[]>, row: T): void {
  rows.value = rows.value.map((r) => (r.id === row.id ? row : r));
}
