// Data and timing of the job kiosk: public, read-only, no login.
import createClient from 'openapi-fetch';
import type { Job, JobCategory, SiteBoard, paths } from '@/api/types';
import { JOB_CATEGORIES, SALARY_UNIT_LABELS } from '@/labels';

/** How often the kiosk reloads the jobs. */
export const REFRESH_MS = 2 * 60_000;
/** How often it moves to the next category while nobody touches it. */
export const ROTATE_MS = 15_000;
/** How long after the last touch it counts as idle. */
export const IDLE_MS = 60_000;
/** How often the rotation checks the clock. */
export const TICK_MS = 1_000;
/** At most this many pages of 100 (the API's maximum page size). */
const MAX_PAGES = 10;
const CACHE_PREFIX = 'anju.kiosk.v2.';

export type JobsByCategory = Record<JobCategory, Job[]>;

/** What the screen shows in turn: the six job categories, then the site's coming activities. */
export type Panel = JobCategory | 'activities';
export const PANELS: readonly Panel[] = [...JOB_CATEGORIES, 'activities'];

/** How many entries each panel has (panels without any are skipped by the rotation). */
export function panelSizes(groups: JobsByCategory, board: SiteBoard | null): Record<Panel, number> {
  const sizes = Object.fromEntries(JOB_CATEGORIES.map((c) => [c, groups[c].length])) as Record<Panel, number>;
  sizes.activities = board?.activities.length ?? 0;
  return sizes;
}

/** The panel after `current` that has entries (wrapping around); `current` if none other has. */
export function nextPanel(current: Panel, sizes: Record<Panel, number>): Panel {
  const start = PANELS.indexOf(current);
  for (let i = 1; i <= PANELS.length; i++) {
    const p = PANELS[(start + i) % PANELS.length] as Panel;
    if (sizes[p] > 0) return p;
  }
  return current;
}

export function groupByCategory(jobs: readonly Job[]): JobsByCategory {
  const groups = Object.fromEntries(JOB_CATEGORIES.map((c) => [c, [] as Job[]])) as JobsByCategory;
  for (const job of jobs) groups[job.category]?.push(job);
  return groups;
}

/** The first panel with entries, else the first one. */
export function firstPanel(sizes: Record<Panel, number>): Panel {
  return PANELS.find((p) => sizes[p] > 0) ?? 'local';
}

export function salaryText(job: Pick<Job, 'salary_min' | 'salary_max' | 'salary_unit'>): string {
  const unit = `元/${SALARY_UNIT_LABELS[job.salary_unit]}`;
  if (job.salary_min <= 0 && job.salary_max <= 0) return '工资面议';
  if (job.salary_min === job.salary_max || job.salary_min <= 0) return `${job.salary_max} ${unit}`;
  return `${job.salary_min}–${job.salary_max} ${unit}`;
}

/** HH:MM in the kiosk's local time (China). */
export function hhmm(at: Date | number): string {
  const d = typeof at === 'number' ? new Date(at) : at;
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** What the banner says when a refresh failed; `lastOk` is when data last arrived. */
export function offlineNotice(lastOk: number | null): string {
  return lastOk === null
    ? '网络中断，正在重新连接……'
    : `网络中断，显示的是 ${hhmm(lastOk)} 的信息`;
}

/** "18–45 岁", "18 岁以上", "50 岁以下", or null without limits. */
export function ageText(job: Pick<Job, 'age_min' | 'age_max'>): string | null {
  const { age_min: lo, age_max: hi } = job;
  if (lo && hi) return `${lo}–${hi} 岁`;
  if (lo) return `${lo} 岁以上`;
  if (hi) return `${hi} 岁以下`;
  return null;
}

const WEEKDAYS = '日一二三四五六';

function day(d: Date): string {
  return `${d.getMonth() + 1}月${d.getDate()}日`;
}

/** "12月6日 星期六 09:00". */
export function momentText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${day(d)} 星期${WEEKDAYS[d.getDay()]} ${hhmm(d)}`;
}

/** "12月6日 星期六 09:00–12:00" (the end's date too when it is another day). */
export function whenText(startsAt: string, endsAt: string): string {
  const s = new Date(startsAt);
  const e = new Date(endsAt);
  if (Number.isNaN(s.getTime())) return '';
  const start = momentText(startsAt);
  if (Number.isNaN(e.getTime())) return start;
  return s.toDateString() === e.toDateString() ? `${start}–${hhmm(e)}` : `${start} 至 ${day(e)} ${hhmm(e)}`;
}

export function shortDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getMonth() + 1}月${d.getDate()}日`;
}

/**
 * Every published job. GET /api/v1/jobs shows the public only published postings; newest first.
 * NOTE (API gap): GET /api/v1/jobs has no `site_id` filter yet, so the kiosk's `?site=` cannot
 * narrow the list: every site's published jobs are shown.
 */
export async function fetchPublishedJobs(
  baseUrl: string = globalThis.location?.origin ?? '',
): Promise<Job[]> {
  const client = createClient<paths>({ baseUrl });
  const jobs: Job[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data, response } = await client.GET('/api/v1/jobs', {
      params: { query: { limit: 100, cursor } },
    });
    if (!response.ok || !data) throw new Error(`GET /api/v1/jobs: ${response.status}`);
    jobs.push(...data.items.filter((j) => j.status === 'published'));
    if (!data.next_cursor) break;
    cursor = data.next_cursor;
  }
  return jobs;
}

/** The site's public board (its name, coming activities open to everyone); no login. Null: no such site. */
export async function fetchBoard(
  site: string,
  baseUrl: string = globalThis.location?.origin ?? '',
): Promise<SiteBoard | null> {
  const client = createClient<paths>({ baseUrl });
  const { data, response } = await client.GET('/api/v1/sites/{id}/board', {
    params: { path: { id: site } },
  });
  if (response.status === 404) return null;
  if (!response.ok || !data) throw new Error(`GET /api/v1/sites/{id}/board: ${response.status}`);
  return data;
}

/** One published job, for the phone page; null when it is no longer published (404). */
export async function fetchJob(
  id: string,
  baseUrl: string = globalThis.location?.origin ?? '',
): Promise<Job | null> {
  const client = createClient<paths>({ baseUrl });
  const { data, response } = await client.GET('/api/v1/jobs/{id}', { params: { path: { id } } });
  if (response.status === 404) return null;
  if (!response.ok || !data) throw new Error(`GET /api/v1/jobs/{id}: ${response.status}`);
  return data.status === 'published' ? data : null;
}

export interface CachedData {
  jobs: Job[];
  /** The site's board, when the kiosk has a site. */
  board: SiteBoard | null;
  /** Epoch ms when they were fetched. */
  at: number;
}

function cacheKey(site: string | null): string {
  return CACHE_PREFIX + (site ?? 'all');
}

/** The last good data survives a reload of the kiosk while the network is down. */
export function saveCache(site: string | null, value: CachedData): void {
  try {
    localStorage.setItem(cacheKey(site), JSON.stringify(value));
  } catch {
    // Storage full or disabled: the kiosk still works from memory.
  }
}

export function loadCache(site: string | null): CachedData | null {
  try {
    const raw = localStorage.getItem(cacheKey(site));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<CachedData>;
    if (!Array.isArray(v.jobs) || typeof v.at !== 'number') return null;
    const board = v.board && Array.isArray(v.board.activities) ? v.board : null;
    return { jobs: v.jobs, board, at: v.at };
  } catch {
    return null;
  }
}
