// The claim state machine as the console shows it: which steps a claim has gone through, which
// actions the caller may take on it now, and the checks of each action's form. The server decides
// again (src: entity/src/claims/steps.rs); this only hides buttons that would be refused.
import type { Claim, ClaimStatus, PointsCategoryView, Role } from '@/api/types';
import { ApiProblemError, errorMessage } from '@/api/problems';

export type ClaimAction = 'verify' | 'register' | 'publicize' | 'credit' | 'reject';

/** Roles that manage the whole site's claims. */
export const STAFF_ROLES: readonly Role[] = ['staff', 'site_admin', 'platform_admin'];

export function isStaff(role: Role | null): boolean {
  return role !== null && STAFF_ROLES.includes(role);
}

/** The seven steps (七项程序) in order, with the status a claim has once the step is done. */
export const STEPS: readonly { key: string; title: string; status: ClaimStatus | null }[] = [
  { key: 'notify', title: '通知', status: null },
  { key: 'apply', title: '申请', status: 'applied' },
  { key: 'verify', title: '认定', status: 'verified' },
  { key: 'register', title: '登记', status: 'registered' },
  { key: 'publicize', title: '公示', status: 'publicized' },
  { key: 'credit', title: '充值', status: 'credited' },
  { key: 'redeem', title: '兑换', status: null },
];

/** The claim queue's status tabs: the step each status waits for. */
export const QUEUE: readonly { status: ClaimStatus | ''; title: string }[] = [
  { status: 'applied', title: '待认定' },
  { status: 'verified', title: '待登记' },
  { status: 'registered', title: '待公示' },
  { status: 'publicized', title: '公示中' },
  { status: 'credited', title: '已入账' },
  { status: 'rejected', title: '已驳回' },
  { status: '', title: '全部' },
];

export const ACTION_LABELS: Record<ClaimAction, string> = {
  verify: '认定',
  register: '登记',
  publicize: '公示',
  credit: '充值入账',
  reject: '驳回',
};

/** Who is looking at the claim. */
export interface Viewer {
  role: Role | null;
  /** The caller's own household, if the caller lives on the site (leaders; staff who are residents). */
  householdId?: string | null;
  /** Now (tests pass a fixed time). */
  now?: Date;
}

type ClaimFacts = Pick<Claim, 'status' | 'on_behalf' | 'household_id' | 'publicity_ends_at'>;

/** Whether the publicity window is over (a claim without an end date has none to wait for). */
export function publicityOver(claim: Pick<Claim, 'publicity_ends_at'>, now: Date = new Date()): boolean {
  if (!claim.publicity_ends_at) return true;
  const end = new Date(claim.publicity_ends_at);
  return Number.isNaN(end.getTime()) || end.getTime() <= now.getTime();
}

/**
 * The actions the viewer may take on a claim now, in the order the buttons show.
 *
 * - Staff (and administrators) take every step of their site: verify an applied claim, register a
 *   verified one, publicize a registered one, credit a publicized one once its window has closed,
 *   and reject any claim not yet credited or rejected.
 * - A group leader verifies or rejects a claim of its groups while it is applied, and nothing after.
 * - Nobody verifies or registers a claim of their own household; a leader does not verify a claim
 *   it filed for a resident (`on_behalf`).
 */
export function claimActions(claim: ClaimFacts, viewer: Viewer): ClaimAction[] {
  const now = viewer.now ?? new Date();
  const own = !!viewer.householdId && viewer.householdId === claim.household_id;
  const out: ClaimAction[] = [];
  if (isStaff(viewer.role)) {
    switch (claim.status) {
      case 'applied':
        if (!own) out.push('verify');
        break;
      case 'verified':
        if (!own) out.push('register');
        break;
      case 'registered':
        out.push('publicize');
        break;
      case 'publicized':
        if (publicityOver(claim, now)) out.push('credit');
        break;
      default:
        return [];
    }
    out.push('reject');
    return out;
  }
  if (viewer.role === 'group_leader' && claim.status === 'applied') {
    if (!own && !claim.on_behalf) out.push('verify');
    out.push('reject');
  }
  return out;
}

/** Default and bounds of the points a verification sets, from the category's range at the site. */
export function pointsRange(
  categories: readonly PointsCategoryView[],
  category: Claim['category'],
): { min: number; max: number } | null {
  const c = categories.find((x) => x.category === category);
  return c ? { min: c.min_points, max: c.max_points } : null;
}

/** Checks an action's form; the Chinese message of the first problem, or null when it may be sent. */
export function checkStep(
  action: ClaimAction,
  input: { points?: number | null; days?: number | null; reason?: string },
  range: { min: number; max: number } | null,
): string | null {
  switch (action) {
    case 'verify': {
      const p = input.points;
      if (p === null || p === undefined || !Number.isInteger(p)) return '请填写积分。';
      if (range && (p < range.min || p > range.max)) {
        return `这一类的积分应在 ${range.min}–${range.max} 分之间。`;
      }
      return null;
    }
    case 'publicize': {
      const d = input.days;
      if (d === null || d === undefined || !Number.isInteger(d) || d < 1 || d > 30) {
        return '公示天数应为 1–30 天。';
      }
      return null;
    }
    case 'reject': {
      const r = (input.reason ?? '').trim();
      if (!r) return '请填写驳回理由。';
      if ([...r].length > 500) return '驳回理由最多 500 个字。';
      return null;
    }
    default:
      return null;
  }
}

/** The body of a step's request: only what the step reads. */
export function stepBody(
  action: ClaimAction,
  input: { points?: number | null; days?: number | null; reason?: string },
): { points?: number; days?: number; reason?: string } {
  switch (action) {
    case 'verify':
      return input.points != null ? { points: input.points } : {};
    case 'publicize':
      return input.days != null ? { days: input.days } : {};
    case 'reject':
      return { reason: (input.reason ?? '').trim() };
    default:
      return {};
  }
}

/** Problem codes of the points scheme that the shared table does not translate yet. */
const POINTS_PROBLEMS: Readonly<Record<string, string>> = {
  own_claim: '申报人本人不能认定或登记自己提交的申报，请由其他人办理。',
  own_household_claim: '不能认定或登记自己家庭的申报，请由其他人办理。',
};

/** `errorMessage`, with the points scheme's own conflict codes in Chinese. */
export function pointsErrorMessage(e: unknown): string {
  if (e instanceof ApiProblemError) {
    const own = POINTS_PROBLEMS[e.problem.code];
    if (own) return own;
  }
  return errorMessage(e);
}

/** The Chinese name of a step's status (`from`/`to` of a claim step; empty is the application). */
export function stepTitle(to: string): string {
  switch (to) {
    case 'applied':
      return '申请';
    case 'verified':
      return '认定';
    case 'registered':
      return '登记';
    case 'publicized':
      return '公示';
    case 'credited':
      return '充值入账';
    case 'rejected':
      return '驳回';
    default:
      return to;
  }
}

/** Accepted claim photos: at most three JPEG or PNG files of at most 2 MiB. */
export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;

export function checkPhotos(files: readonly { name: string; size: number; type: string }[]): string | null {
  if (files.length > MAX_PHOTOS) return `最多上传 ${MAX_PHOTOS} 张照片。`;
  for (const f of files) {
    if (f.type !== 'image/jpeg' && f.type !== 'image/png') return `“${f.name}”不是 JPG 或 PNG 图片。`;
    if (f.size > MAX_PHOTO_BYTES) return `“${f.name}”超过 2 MB，请压缩后再上传。`;
  }
  return null;
}

/**
 * Where a claim stands on the seven steps: the index in {@link STEPS} of the step it waits for,
 * and whether it was stopped there (rejected). A rejected claim stops at the step after the last
 * one it reached.
 */
export function progress(claim: Pick<Claim, 'status' | 'steps'>): { active: number; failed: boolean } {
  const index = (status: string) => STEPS.findIndex((s) => s.status === status);
  if (claim.status !== 'rejected') return { active: index(claim.status) + 1, failed: false };
  const reached = [...(claim.steps ?? [])].reverse().find((s) => s.to !== 'rejected');
  const at = reached ? index(reached.to) : index('applied');
  return { active: (at < 0 ? index('applied') : at) + 1, failed: true };
}

/**
 * Who may file a claim for a resident from the console: group leaders, for residents of their
 * groups. (Staff cannot yet: `POST /points/claims` accepts a resident's own claim or its
 * leader's.)
 */
export function mayFileClaims(role: Role | null): boolean {
  return role === 'group_leader';
}
