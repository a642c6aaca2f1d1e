// Residents behind sign-ups: staff lists carry `resident_name`; the rest (phone numbers, names
// missing from an answer) is read once per resident (a few at a time) and kept for the session.
import { reactive } from 'vue';
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Resident } from '@/api/types';

const known = reactive(new Map<string, Resident>());
const pending = new Map<string, Promise<Resident | undefined>>();

/** At most this many lookups run at once. */
const PARALLEL = 6;

function lookup(id: string): Promise<Resident | undefined> {
  let p = pending.get(id);
  if (!p) {
    p = unwrap(api().GET('/api/v1/residents/{id}', { params: { path: { id } } }))
      .then((r) => {
        known.set(id, r);
        return r;
      })
      .catch(() => undefined)
      .finally(() => pending.delete(id));
    pending.set(id, p);
  }
  return p;
}

/** Reads the residents not known yet. */
export async function loadResidents(ids: Iterable<string>): Promise<void> {
  const queue = [...new Set(ids)].filter((id) => !known.has(id));
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) await lookup(id);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
}

/** One resident, read if needed. */
export async function residentOf(id: string): Promise<Resident | undefined> {
  return known.get(id) ?? lookup(id);
}

export function knownResident(id: string): Resident | undefined {
  return known.get(id);
}

/** A sign-up's name: the one the list carries (staff and leaders), else one looked up; empty if none. */
export function signupName(s: { resident_name?: string | null }, lookedUp?: string | null): string {
  return s.resident_name?.trim() || lookedUp?.trim() || '';
}
