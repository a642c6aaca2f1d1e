// Employer names for job lists: a job carries only `employer_id`, so names are looked up once each.
import { reactive } from 'vue';
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Employer } from '@/api/types';

const known = reactive(new Map<string, Employer>());
const pending = new Map<string, Promise<void>>();

/** Looks up the employers not known yet (failures leave the id unnamed). */
export async function loadEmployers(ids: Iterable<string>): Promise<void> {
  const wanted = [...new Set(ids)].filter((id) => !known.has(id));
  await Promise.all(
    wanted.map((id) => {
      let p = pending.get(id);
      if (!p) {
        p = unwrap(api().GET('/api/v1/employers/{id}', { params: { path: { id } } }))
          .then((e) => {
            known.set(id, e);
          })
          .catch(() => undefined)
          .finally(() => pending.delete(id));
        pending.set(id, p);
      }
      return p;
    }),
  );
}

export function employerOf(id: string): Employer | undefined {
  return known.get(id);
}

/** Keeps an employer that an action just changed. */
export function rememberEmployer(e: Employer): void {
  known.set(e.id, e);
}
