// Names for lists that carry only ids (claims, redemptions): each household is read once
// (`GET /households/{id}` answers its label and its members' names) and kept while the console
// stays open.
import { reactive } from 'vue';
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { HouseholdDetail } from '@/api/types';

/** id -> the household; null when it could not be read (out of reach or gone). */
const known = reactive(new Map<string, HouseholdDetail | null>());
const pending = new Map<string, Promise<void>>();

export function household(id: string): HouseholdDetail | null | undefined {
  return known.get(id);
}

/** Remembers a household already read elsewhere (the pickers). */
export function rememberHousehold(h: HouseholdDetail): void {
  known.set(h.id, h);
}

function fetchOne(id: string): Promise<void> {
  let p = pending.get(id);
  if (!p) {
    p = unwrap(api().GET('/api/v1/households/{id}', { params: { path: { id } } }))
      .then((h) => void known.set(id, h))
      .catch(() => void known.set(id, null))
      .finally(() => pending.delete(id));
    pending.set(id, p);
  }
  return p;
}

/** Reads the households not known yet, a few at a time. */
export async function ensureHouseholds(ids: readonly string[], parallel = 6): Promise<void> {
  const todo = [...new Set(ids)].filter((id) => !known.has(id));
  for (let i = 0; i < todo.length; i += parallel) {
    await Promise.all(todo.slice(i, i + parallel).map(fetchOne));
  }
}

/** The name of a resident of a household, if the household is known and lists it. */
export function residentName(householdId: string, residentId: string): string | null {
  return known.get(householdId)?.members.find((m) => m.id === residentId)?.name ?? null;
}
