// The activity dialog's form: validation by the server's rules (ActivityRequest, ActivityPatch,
// `Schedule::new`), and the request or the patch it becomes.
import type { Activity, ActivityKind, ActivityPatch, ActivityQuery, ActivityRequest } from '@/api/types';

export const PAGE_SIZE = 50;

export interface ActivityForm {
  title: string;
  description: string;
  kind: ActivityKind | '';
  place: string;
  contact: string;
  startsAt: Date | null;
  endsAt: Date | null;
  /** Empty: sign-up opens now. */
  signupOpensAt: Date | null;
  /** Empty: sign-up closes at the start. */
  signupClosesAt: Date | null;
  capacity: number | null;
  waitlist: boolean;
  /** Empty: the whole site. */
  groupIds: string[];
  pointsOn: boolean;
  pointsCategory: string;
  pointsAmount: number | null;
  employerIds: string[];
}

export function emptyForm(): ActivityForm {
  return {
    title: '',
    description: '',
    kind: '',
    place: '',
    contact: '',
    startsAt: null,
    endsAt: null,
    signupOpensAt: null,
    signupClosesAt: null,
    capacity: 50,
    waitlist: true,
    groupIds: [],
    pointsOn: false,
    pointsCategory: '',
    pointsAmount: null,
    employerIds: [],
  };
}

/** The form of an existing activity (for editing). */
export function formOf(a: Activity): ActivityForm {
  return {
    title: a.title,
    description: a.description,
    kind: a.kind,
    place: a.place,
    contact: a.contact,
    startsAt: new Date(a.starts_at),
    endsAt: new Date(a.ends_at),
    signupOpensAt: new Date(a.signup_opens_at),
    signupClosesAt: new Date(a.signup_closes_at),
    capacity: a.capacity,
    waitlist: a.waitlist_enabled,
    groupIds: [],
    pointsOn: !!a.points,
    pointsCategory: a.points?.category ?? '',
    pointsAmount: a.points?.amount ?? null,
    employerIds: [...a.employer_ids],
  };
}

/** Instants compare at whole seconds, as the server keeps them. */
function sec(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

function chars(s: string): number {
  return [...s.trim()].length;
}

/**
 * Field -> what is wrong (empty when the form can be sent). `original` is the activity being
 * edited: a start or end left as they were may be in the past then.
 */
export function formProblems(
  f: ActivityForm,
  now: Date = new Date(),
  original?: Activity,
): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.title.trim()) e.title = '请填写活动名称';
  else if (chars(f.title) > 100) e.title = '活动名称不能超过 100 字';
  if (!f.description.trim()) e.description = '请填写活动说明';
  else if (chars(f.description) > 5000) e.description = '活动说明不能超过 5000 字';
  if (!original && !f.kind) e.kind = '请选择活动类型';
  if (!f.place.trim()) e.place = '请填写活动地点';
  else if (chars(f.place) > 200) e.place = '活动地点不能超过 200 字';
  if (!f.contact.trim()) e.contact = '请填写联系人或电话';
  else if (chars(f.contact) > 100) e.contact = '联系方式不能超过 100 字';

  if (!f.startsAt) e.startsAt = '请选择开始时间';
  if (!f.endsAt) e.endsAt = '请选择结束时间';
  if (f.startsAt && f.endsAt) {
    if (sec(f.endsAt) <= sec(f.startsAt)) e.endsAt = '结束时间要晚于开始时间';
    const moved =
      !original ||
      sec(f.startsAt) !== sec(new Date(original.starts_at)) ||
      sec(f.endsAt) !== sec(new Date(original.ends_at));
    if (moved && sec(f.startsAt) <= sec(now)) e.startsAt = '开始时间要晚于现在';
    // The sign-up window defaults to [now, start]: judged once the start itself is right.
    const opens = f.signupOpensAt ?? now;
    const closes = f.signupClosesAt ?? f.startsAt;
    if (!e.startsAt && !e.endsAt) {
      if (sec(closes) <= sec(opens)) e.signupClosesAt = '报名截止要晚于报名开始';
      else if (sec(closes) > sec(f.endsAt)) e.signupClosesAt = '报名截止不能晚于活动结束';
    }
  }

  if (f.capacity == null || !Number.isInteger(f.capacity) || f.capacity < 1 || f.capacity > 100_000) {
    e.capacity = '名额应为 1 到 100000 之间的整数';
  }
  if (!original && f.pointsOn) {
    if (!f.pointsCategory) e.pointsCategory = '请选择积分类别';
    if (f.pointsAmount == null || !Number.isInteger(f.pointsAmount) || f.pointsAmount < 1 || f.pointsAmount > 100) {
      e.pointsAmount = '积分应为 1 到 100 之间的整数';
    }
  }
  if (!original && f.employerIds.length > 200) e.employerIds = '参加的单位不能超过 200 家';
  return e;
}

function iso(d: Date): string {
  return new Date(sec(d) * 1000).toISOString();
}

/** The new activity to send (the form must be free of problems). */
export function toRequest(f: ActivityForm, siteId: string): ActivityRequest {
  if (!f.startsAt || !f.endsAt || !f.kind || f.capacity == null) {
    throw new Error('toRequest on an incomplete form');
  }
  const r: ActivityRequest = {
    site_id: siteId,
    title: f.title.trim(),
    description: f.description.trim(),
    kind: f.kind,
    place: f.place.trim(),
    contact: f.contact.trim(),
    starts_at: iso(f.startsAt),
    ends_at: iso(f.endsAt),
    capacity: f.capacity,
    waitlist: f.waitlist,
  };
  if (f.signupOpensAt) r.signup_opens_at = iso(f.signupOpensAt);
  if (f.signupClosesAt) r.signup_closes_at = iso(f.signupClosesAt);
  if (f.groupIds.length) r.audience = { group_ids: [...f.groupIds] };
  if (f.pointsOn && f.pointsCategory && f.pointsAmount != null) {
    r.points = { category: f.pointsCategory, amount: f.pointsAmount };
  }
  if (f.kind === 'job_fair' && f.employerIds.length) r.employer_ids = [...f.employerIds];
  return r;
}

/** Only what changed, as ActivityPatch fields (empty: nothing to send). */
export function toPatch(f: ActivityForm, a: Activity): ActivityPatch {
  const p: ActivityPatch = {};
  const text = (v: string, was: string, key: 'title' | 'description' | 'place' | 'contact') => {
    if (v.trim() !== was) p[key] = v.trim();
  };
  text(f.title, a.title, 'title');
  text(f.description, a.description, 'description');
  text(f.place, a.place, 'place');
  text(f.contact, a.contact, 'contact');
  const instant = (
    v: Date | null,
    was: string,
    key: 'starts_at' | 'ends_at' | 'signup_opens_at' | 'signup_closes_at',
  ) => {
    if (v && sec(v) !== sec(new Date(was))) p[key] = iso(v);
  };
  instant(f.startsAt, a.starts_at, 'starts_at');
  instant(f.endsAt, a.ends_at, 'ends_at');
  instant(f.signupOpensAt, a.signup_opens_at, 'signup_opens_at');
  instant(f.signupClosesAt, a.signup_closes_at, 'signup_closes_at');
  if (f.capacity != null && f.capacity !== a.capacity) p.capacity = f.capacity;
  if (f.waitlist !== a.waitlist_enabled) p.waitlist = f.waitlist;
  return p;
}

// ---- The list --------------------------------------------------------------------------------

export interface ListFilters {
  kind: ActivityKind | '';
  /** Starting on or after / before these days (both empty: activities not yet over). */
  range: [Date, Date] | null;
}

export function emptyFilters(): ListFilters {
  return { kind: '', range: null };
}

export function activityQuery(f: ListFilters, cursor?: string | null): ActivityQuery {
  const q: ActivityQuery = { limit: PAGE_SIZE };
  if (f.kind) q.kind = f.kind;
  if (f.range) {
    const [from, to] = f.range;
    const start = new Date(from.getFullYear(), from.getMonth(), from.getDate());
    const end = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1);
    q.from = start.toISOString();
    q.to = end.toISOString();
  }
  if (cursor) q.cursor = cursor;
  return q;
}

export type Phase = 'upcoming' | 'signup' | 'signup_closed' | 'ongoing' | 'ended' | 'finished';

export const PHASE_LABELS: Record<Phase, string> = {
  upcoming: '未开始报名',
  signup: '报名中',
  signup_closed: '报名已截止',
  ongoing: '进行中',
  ended: '已结束',
  finished: '已结束',
};

/** Where an activity stands at `now`. */
export function phaseOf(a: Activity, now: Date = new Date()): Phase {
  const t = now.getTime();
  if (a.finished) return 'finished';
  if (t >= new Date(a.ends_at).getTime()) return 'ended';
  if (t >= new Date(a.starts_at).getTime()) return 'ongoing';
  if (t < new Date(a.signup_opens_at).getTime()) return 'upcoming';
  if (t < new Date(a.signup_closes_at).getTime()) return 'signup';
  return 'signup_closed';
}

/** Whether the activity may still be edited (the server refuses once it has ended). */
export function editable(a: Activity, now: Date = new Date()): boolean {
  return !a.finished && now.getTime() < new Date(a.ends_at).getTime();
}

/** Check-in is open from an hour before the start to the end (the server's window). */
export function checkinOpen(a: Activity, now: Date = new Date()): boolean {
  const t = now.getTime();
  return t >= new Date(a.starts_at).getTime() - 3_600_000 && t <= new Date(a.ends_at).getTime();
}
