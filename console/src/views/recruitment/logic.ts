// The recruitment screen's rules: review queues, the moves staff may make, employment records and
// the dashboard's figures. Every transition table here mirrors the server's (which still decides).
import { ApiProblemError, errorMessage } from '@/api/problems';
import type {
  ApplicationStatus,
  EmployerStatus,
  EmploymentReport,
  EmploymentStatus,
  HouseholdBelowTarget,
  JobCategory,
  JobQuery,
  JobStatus,
  paths,
  ResidentQuery,
} from '@/api/types';

export const PAGE_SIZE = 50;

/** Problem codes of recruitment endpoints that the shared table does not know yet. */
const EXTRA_MESSAGES: Readonly<Record<string, string>> = {
  valid_through_passed: '岗位有效期已过，不能发布，请让用人单位修改有效期后重新提交。',
  duplicate_application: '这位居民已经报名过这个岗位。',
  already_ended: '这条就业记录已经结束过了。',
};

/** Chinese text for an error of a recruitment call. */
export function recruitmentError(e: unknown): string {
  if (e instanceof ApiProblemError) {
    const extra = EXTRA_MESSAGES[e.problem.code];
    if (extra) return extra;
  }
  return errorMessage(e);
}

// ---- Employers -------------------------------------------------------------------------------

export type EmployerQuery = NonNullable<paths['/api/v1/employers']['get']['parameters']['query']>;
export type EmployerDecision = 'verify' | 'reject' | 'suspend';

export const EMPLOYER_DECISION_LABELS: Record<EmployerDecision, string> = {
  verify: '通过',
  reject: '不通过',
  suspend: '暂停',
};

/** The decisions staff may take on an employer in `status` (the server's `can_become`). */
export function employerDecisions(status: EmployerStatus): EmployerDecision[] {
  switch (status) {
    case 'pending':
      return ['verify', 'reject'];
    case 'rejected':
    case 'suspended':
      return ['verify'];
    case 'verified':
      return ['suspend'];
  }
}

/** Whether the decision needs a reason (shown to the employer). */
export function needsReason(decision: EmployerDecision | JobReviewAction): boolean {
  return decision === 'reject' || decision === 'suspend';
}

export function employerQuery(status: EmployerStatus | '', cursor?: string | null): EmployerQuery {
  const q: EmployerQuery = { limit: PAGE_SIZE };
  if (status) q.status = status;
  if (cursor) q.cursor = cursor;
  return q;
}

/** What is wrong with a reason typed for a rejection or suspension, or null. Max 500 (server). */
export function reasonProblem(reason: string): string | null {
  const t = reason.trim();
  if (!t) return '请填写原因';
  if ([...t].length > 500) return '原因不能超过 500 字';
  return null;
}

// ---- Jobs ------------------------------------------------------------------------------------

export interface JobFilters {
  status: JobStatus | '';
  q: string;
  category: JobCategory | '';
}

/** The review queue starts with the postings employers submitted. */
export function reviewFilters(): JobFilters {
  return { status: 'pending_review', q: '', category: '' };
}

/** The published-jobs tab. */
export function publishedFilters(): JobFilters {
  return { status: 'published', q: '', category: '' };
}

export function jobQuery(f: JobFilters, cursor?: string | null): JobQuery {
  const q: JobQuery = { limit: PAGE_SIZE };
  if (f.status) q.status = f.status;
  const text = f.q.trim();
  if (text) q.q = text;
  if (f.category) q.category = f.category;
  if (cursor) q.cursor = cursor;
  return q;
}

export type JobReviewAction = 'publish' | 'reject' | 'close';

/** What staff may do with a posting in `status` (the server's `JobAction::next` for staff). */
export function staffJobActions(status: JobStatus): JobReviewAction[] {
  switch (status) {
    case 'pending_review':
      return ['publish', 'reject', 'close'];
    case 'draft':
    case 'published':
      return ['close'];
    default:
      return [];
  }
}

/** Whether a posting's validity has run out (publishing it would be refused). */
export function validityPassed(validThrough: string, now: Date = new Date()): boolean {
  const t = new Date(validThrough).getTime();
  return Number.isFinite(t) && t <= now.getTime();
}

// ---- Applications ----------------------------------------------------------------------------

/** The employer's pipeline, in order. */
export const APPLICATION_PIPELINE: readonly ApplicationStatus[] = [
  'submitted',
  'viewed',
  'interviewing',
  'offered',
  'hired',
];

const OPEN_APPLICATION: readonly ApplicationStatus[] = ['submitted', 'viewed', 'interviewing', 'offered'];

/**
 * The moves staff may make on an application. The employer moves it along its pipeline; staff act
 * for the applicant's side, which may only withdraw it, and only before a hire or a refusal.
 */
export function staffApplicationMoves(status: ApplicationStatus): ApplicationStatus[] {
  return OPEN_APPLICATION.includes(status) ? ['withdrawn'] : [];
}

/** How far along the pipeline an application is (-1 once it left it: withdrawn, not selected). */
export function pipelineStep(status: ApplicationStatus): number {
  return APPLICATION_PIPELINE.indexOf(status);
}

export type ApplicationQuery = NonNullable<paths['/api/v1/jobs/{id}/applications']['get']['parameters']['query']>;

/** A page of a posting's applications (for staff: their site's residents, oldest first). */
export function applicationQuery(cursor?: string | null): ApplicationQuery {
  const q: ApplicationQuery = { limit: PAGE_SIZE };
  if (cursor) q.cursor = cursor;
  return q;
}

/** The tag colour of an application's status. */
export function applicationStatusTag(status: ApplicationStatus): 'success' | 'primary' | 'warning' | 'info' | 'danger' {
  switch (status) {
    case 'hired':
      return 'success';
    case 'offered':
    case 'interviewing':
      return 'warning';
    case 'submitted':
    case 'viewed':
      return 'primary';
    case 'not_selected':
      return 'danger';
    case 'withdrawn':
      return 'info';
  }
}

/** The 代办 column: whether a group leader or staff member applied for the resident. */
export function onBehalfLabel(onBehalf: boolean): string {
  return onBehalf ? '代报名' : '本人报名';
}

// ---- Employment records ----------------------------------------------------------------------

export type EmploymentChannel = 'local' | 'work_away' | 'industry';

export const EMPLOYMENT_CHANNEL_LABELS: Record<EmploymentChannel, string> = {
  work_away: '外出务工',
  local: '就近就业',
  industry: '产业基地',
};

export function channelLabel(channel: string): string {
  return EMPLOYMENT_CHANNEL_LABELS[channel as EmploymentChannel] ?? channel;
}

/** YYYY-MM-DD of a day in local (China) time. */
export function localDate(d: Date): string {
  const m = String(d.getMonth() + 1).padStart(2, '0');
  const day = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${m}-${day}`;
}

export interface EmploymentForm {
  residentId: string;
  channel: EmploymentChannel | '';
  startDate: string;
}

/** Field -> what is wrong; empty when the form can be sent. */
export function employmentFormProblems(f: EmploymentForm, today: Date = new Date()): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.residentId) errors.residentId = '请选择居民';
  if (!f.channel) errors.channel = '请选择就业渠道';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.startDate)) errors.startDate = '请选择开始日期';
  else if (f.startDate > localDate(today)) errors.startDate = '开始日期不能晚于今天';
  return errors;
}

/** The end of an employment must not be before its start (server rule) nor in the future. */
export function endDateProblem(startDate: string, endDate: string, today: Date = new Date()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate)) return '请选择结束日期';
  if (endDate < startDate) return '结束日期不能早于开始日期';
  if (endDate > localDate(today)) return '结束日期不能晚于今天';
  return null;
}

export type EmploymentQuery = NonNullable<paths['/api/v1/employments']['get']['parameters']['query']>;

/** The employment list's filter: current ones, ended ones, or all. */
export type EmploymentState = 'current' | 'ended' | 'all';

export const EMPLOYMENT_STATE_LABELS: Record<EmploymentState, string> = {
  current: '在岗',
  ended: '已离岗',
  all: '全部',
};

/**
 * The employment list query. `siteId` narrows a platform administrator's list to the site picked
 * in the header (others are kept to their own site by the server).
 */
export function employmentQuery(
  state: EmploymentState,
  cursor?: string | null,
  siteId?: string | null,
): EmploymentQuery {
  const q: EmploymentQuery = { limit: PAGE_SIZE };
  if (state === 'current') q.current = true;
  else if (state === 'ended') q.current = false;
  if (siteId) q.site_id = siteId;
  if (cursor) q.cursor = cursor;
  return q;
}

/**
 * A record after a change (recorded or ended) against the list on screen: whether it still
 * belongs under the filter. New records are current, ended ones are not.
 */
export function employmentMatches(state: EmploymentState, endDate: string | null | undefined): boolean {
  if (state === 'all') return true;
  return state === 'current' ? !endDate : Boolean(endDate);
}

// ---- Dashboard -------------------------------------------------------------------------------

export interface GroupRow {
  groupId: string;
  name: string;
  householdsWithLabour: number;
  workingAge: number;
  employed: number;
  belowTarget: number;
  /** Employed over working age, in percent (0 when nobody is of working age). */
  rate: number;
}

const collator = new Intl.Collator('zh-CN', { numeric: true });

/** The groups, most households below target first (then by name). */
export function groupRows(report: EmploymentReport): GroupRow[] {
  return report.groups
    .map((g) => ({
      groupId: g.group_id,
      name: g.group_name,
      householdsWithLabour: g.households_with_labour,
      workingAge: g.working_age_residents,
      employed: g.employed_residents,
      belowTarget: g.households_below_target,
      rate: percent(g.employed_residents, g.working_age_residents),
    }))
    .sort((a, b) => b.belowTarget - a.belowTarget || collator.compare(a.name, b.name));
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

export interface BarData {
  /** Group names, top to bottom. */
  names: string[];
  groupIds: string[];
  belowTarget: number[];
  withLabour: number[];
}

/**
 * The bar chart's data: one bar per group (households below target beside households with
 * labour). A horizontal chart draws its first category at the bottom, so the order is reversed
 * to put the group with most households below target on top.
 */
export function barData(rows: readonly GroupRow[]): BarData {
  const r = [...rows].reverse();
  return {
    names: r.map((g) => g.name),
    groupIds: r.map((g) => g.groupId),
    belowTarget: r.map((g) => g.belowTarget),
    withLabour: r.map((g) => g.householdsWithLabour),
  };
}

/** The target for a household: two in work, or all of its labour when it has fewer than two. */
export function householdTarget(labour: number): number {
  return Math.min(2, labour);
}

/** The households below target in one group, the biggest shortfall first. */
export function householdsOfGroup(
  report: EmploymentReport,
  groupId: string,
): HouseholdBelowTarget[] {
  return report.below_target
    .filter((h) => h.group_id === groupId)
    .sort(
      (a, b) =>
        householdTarget(b.labour) - b.employed - (householdTarget(a.labour) - a.employed) ||
        collator.compare(a.label, b.label),
    );
}

/** Residents of a group for the drill-down: working age, optionally of one employment status. */
export function drillQuery(
  groupId: string,
  status: EmploymentStatus | '',
  cursor?: string | null,
): ResidentQuery {
  const q: ResidentQuery = { limit: PAGE_SIZE, group_id: groupId, working_age: true };
  if (status) q.employment_status = status;
  if (cursor) q.cursor = cursor;
  return q;
}

/** Members of one household (the drill-down from a household below target). */
export function householdQuery(householdId: string, cursor?: string | null): ResidentQuery {
  const q: ResidentQuery = { limit: PAGE_SIZE, household_id: householdId };
  if (cursor) q.cursor = cursor;
  return q;
}

// ---- Display ---------------------------------------------------------------------------------

/** A date and time in local (China) time, minutes precision. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${localDate(d)} ${hh}:${mm}`;
}
