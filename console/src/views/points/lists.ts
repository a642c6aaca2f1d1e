// Small helpers shared by the points, store and broadcasts screens: reading every page of a short
// list, the households of a building, and sorting what the pickers show.
import { api } from '@/api/client';
import { unwrap } from '@/api/problems';
import type { Building, Group, Household } from '@/api/types';

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** Reads every page of a short list (groups, buildings, items); stops after `maxPages`. */
export async function loadAll<T>(
  page: (cursor?: string) => Promise<Page<T>>,
  maxPages = 50,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await page(cursor);
    all.push(...p.items);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  return all;
}

/**
 * Sorts names that carry Arabic numbers the way people count ("2号楼" before "10号楼"). Not for
 * names with Chinese numerals (第一/第二居委会 would sort by pinyin): keep the API's order there.
 */
export function byName<T>(name: (x: T) => string): (a: T, b: T) => number {
  const collator = new Intl.Collator('zh-CN', { numeric: true });
  return (a, b) => collator.compare(name(a), name(b));
}

/** Keeps what belongs to the site the screen works in (platform administrators see every site). */
export function inSite<T extends { site_id: string }>(rows: readonly T[], siteId: string | null): T[] {
  return siteId ? rows.filter((r) => r.site_id === siteId) : [...rows];
}

/** Groups in the API's order (the order they were set up: 第一居委会第1组, 第2组, …). */
export async function loadGroups(siteId: string | null): Promise<Group[]> {
  const all = await loadAll((cursor) =>
    unwrap(api().GET('/api/v1/groups', { params: { query: { site_id: siteId ?? undefined, limit: 100, cursor } } })),
  );
  return inSite(all, siteId);
}

export async function loadBuildings(siteId: string | null): Promise<Building[]> {
  const all = await loadAll((cursor) =>
    unwrap(api().GET('/api/v1/buildings', { params: { query: { limit: 100, cursor } } })),
  );
  return inSite(all, siteId).sort(byName((b) => b.name));
}

/** The households of one building (a few dozen), sorted by label. */
export async function loadHouseholdsOf(buildingId: string): Promise<Household[]> {
  const all = await loadAll((cursor) =>
    unwrap(
      api().GET('/api/v1/households', {
        params: { query: { building_id: buildingId, limit: 100, cursor } },
      }),
    ),
  );
  return all.sort(byName((h) => h.label));
}

/**
 * Whether a household's label matches what was typed: `3-201`, `3201` and `201` all find `3-201`
 * (labels are unit-floor+room inside a building).
 */
export function labelMatches(label: string, typed: string): boolean {
  const t = typed.trim().replace(/[－—–\s]/g, '-');
  if (!t) return true;
  if (label.includes(t)) return true;
  const bare = (s: string) => s.replace(/[^0-9A-Za-z]/g, '');
  const b = bare(t);
  return b.length > 0 && bare(label).includes(b);
}

/** A fresh idempotency key for one submission (reused when the same submission is retried). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // available outside secure contexts too, unlike randomUUID
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
