// The service desk's search form -> the query of GET /api/v1/residents.
import type { ExportFormat } from '@/api/download';
import type { EmploymentStatus, ResidentExportQuery, ResidentQuery } from '@/api/types';

export const PAGE_SIZE = 50;
/** The server's limit on the search box's text (`q`). */
export const SEARCH_MAX = 50;

export interface DeskFilters {
  /**
   * The search box, sent as `q`: the server matches a whole mobile number, the last four
   * characters of the ID number (or digits of the phone), part of a name, household label or
   * building name.
   */
  text: string;
  groupId: string;
  buildingId: string;
  employmentStatus: EmploymentStatus | '';
  disability: boolean;
  partyMember: boolean;
  jobSeeking: boolean;
  workingAge: boolean;
}

export function emptyFilters(): DeskFilters {
  return {
    text: '',
    groupId: '',
    buildingId: '',
    employmentStatus: '',
    disability: false,
    partyMember: false,
    jobSeeking: false,
    workingAge: false,
  };
}

/**
 * The search box's text as the server takes it: trimmed; a number typed with spaces or with the
 * country code ("138 0013 8000", "+86 13800138000") becomes its plain digits, so a whole mobile
 * number is matched exactly.
 */
export function searchText(text: string): string {
  const t = text.trim();
  if (!/^\+?[\d\s]+$/.test(t)) return t;
  const digits = t.replace(/[\s+]/g, '');
  return /^861\d{10}$/.test(digits) ? digits.slice(2) : digits;
}

/**
 * Only what is set goes into the query; a ticked box means "only residents who are …".
 * `siteId` is the site a platform administrator picked (others are bound to their own).
 */
export function residentQuery(
  f: DeskFilters,
  cursor?: string | null,
  siteId?: string | null,
): ResidentQuery {
  const q: ResidentQuery = { limit: PAGE_SIZE };
  const text = searchText(f.text);
  if (text) q.q = text;
  if (siteId) q.site_id = siteId;
  if (f.groupId) q.group_id = f.groupId;
  if (f.buildingId) q.building_id = f.buildingId;
  if (f.employmentStatus) q.employment_status = f.employmentStatus;
  if (f.disability) q.disability = true;
  if (f.partyMember) q.party_member = true;
  if (f.jobSeeking) q.job_seeking = true;
  if (f.workingAge) q.working_age = true;
  if (cursor) q.cursor = cursor;
  return q;
}

/**
 * The query of GET /api/v1/residents/export: the same filters as the list, and the file format;
 * never `limit` or `cursor` (an export has every row; the server refuses them).
 */
export function residentExportQuery(f: DeskFilters, siteId: string | null, format: ExportFormat): ResidentExportQuery {
  const q: ResidentExportQuery = { ...residentQuery(f, null, siteId), format };
  delete q.limit;
  delete q.cursor;
  return q;
}
