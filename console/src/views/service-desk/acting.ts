// "Act for this resident": which actions a role may take at the desk, what each dialog must have
// before it is sent, the request bodies, and what the result says.
import type {
  Activity,
  Application,
  Campaign,
  Claim,
  Job,
  PointsCategory,
  Redemption,
  Role,
  Signup,
  StoreItem,
} from '@/api/types';
import { ApiProblemError, errorMessage } from '@/api/problems';
import {
  APPLICATION_STATUS_LABELS,
  JOB_CATEGORY_LABELS,
  POINTS_CATEGORY_LABELS,
  SALARY_UNIT_LABELS,
} from '@/labels';

/** The four things staff do for a resident who cannot use the app. */
export type ActKind = 'job' | 'activity' | 'claim' | 'redeem';

export const ACT_TITLES: Record<ActKind, string> = {
  job: '代为报名岗位',
  activity: '代为报名活动',
  claim: '代为申报积分',
  redeem: '积分兑换商品',
};

/** What the dialog asks the user to pick. */
export const CHOICE_NOUNS: Record<ActKind, string> = {
  job: '岗位',
  activity: '活动',
  claim: '积分类别',
  redeem: '商品',
};

const SERVING: readonly Role[] = ['group_leader', 'staff', 'site_admin', 'platform_admin'];
const STAFF: readonly Role[] = ['staff', 'site_admin', 'platform_admin'];

/**
 * The actions a role may take for `resident`, as the operations describe them:
 * applications and sign-ups: group leaders and staff for a resident;
 * points claims: the resident, the leader of its group, or the site's staff for it;
 * redemptions: staff at the counter for a household of their site (leaders only for their own).
 */
export function actionsFor(
  role: Role | null,
  resident: { group_id: string },
  ledGroupIds: readonly string[] = [],
): ActKind[] {
  if (!role || !SERVING.includes(role)) return [];
  const out: ActKind[] = ['job', 'activity'];
  if (STAFF.includes(role)) out.push('claim', 'redeem');
  else if (role === 'group_leader' && ledGroupIds.includes(resident.group_id)) out.push('claim');
  return out;
}

/** The dialog's fields. */
export interface ActForm {
  /** The job, activity or store item picked. */
  choiceId: string;
  /** Redemptions: how many. */
  quantity: number;
  /** Claims: the category. */
  category: PointsCategory | '';
  /** Claims: the call for claims (积分活动) it answers; '' for none. */
  campaignId: string;
  /** Claims: what the resident did. */
  description: string;
  /** Every action: why staff act for the resident (optional; audited). */
  reason: string;
}

export function emptyActForm(): ActForm {
  return { choiceId: '', quantity: 1, category: '', campaignId: '', description: '', reason: '' };
}

/** Server limits (see the request schemas). */
export const CLAIM_DESCRIPTION_MAX = 1000;
export const REDEEM_QUANTITY_MAX = 100;
export const REASON_MAX = 200;

/** Quick picks for the reason box. */
export const REASON_CHIPS: readonly string[] = ['不会用手机', '行动不便', '电话委托', '到服务台办理'];
export const REASON_PLACEHOLDER = '例如：老人不会用手机，到服务台办理';

/** The reason box after a quick pick: filled when empty, otherwise the pick added once. */
export function pickReason(current: string, chip: string): string {
  const t = current.trim();
  if (!t) return chip;
  if (t.split(/[，,、；;\s]+/).includes(chip)) return t;
  const next = `${t}，${chip}`;
  return [...next].length > REASON_MAX ? t : next;
}

export type ActField = 'choice' | 'quantity' | 'category' | 'description' | 'reason';

function reasonProblem(reason: string): string | undefined {
  return [...reason.trim()].length > REASON_MAX ? `代办原因最多 ${REASON_MAX} 个字` : undefined;
}

/** What the dialog knows besides the form: the redemption's item and the household's balance. */
export interface ActContext {
  item?: Pick<StoreItem, 'price' | 'stock' | 'active'> | null;
  /** Points the household holds; null while unknown. */
  balance?: number | null;
}

/** The problems of a filled-in dialog, by field (empty: it may be sent). */
export function actProblems(
  kind: ActKind,
  form: ActForm,
  ctx: ActContext = {},
): Partial<Record<ActField, string>> {
  const p: Partial<Record<ActField, string>> = {};
  const reason = reasonProblem(form.reason);
  if (reason) p.reason = reason;
  if (kind === 'claim') {
    if (!form.category) p.category = '请选择积分类别';
    const d = form.description.trim();
    if (!d) p.description = '请写明做了什么事';
    else if ([...d].length > CLAIM_DESCRIPTION_MAX) {
      p.description = `最多 ${CLAIM_DESCRIPTION_MAX} 个字`;
    }
    return p;
  }
  if (!form.choiceId) p.choice = `请选择${CHOICE_NOUNS[kind]}`;
  if (kind === 'redeem') {
    const q = form.quantity;
    if (!Number.isInteger(q) || q < 1 || q > REDEEM_QUANTITY_MAX) {
      p.quantity = `数量应为 1 到 ${REDEEM_QUANTITY_MAX}`;
    } else if (ctx.item) {
      if (!ctx.item.active) p.choice = '这件商品已下架';
      else if (q > ctx.item.stock) p.quantity = `库存只有 ${ctx.item.stock} 件`;
      else if (ctx.balance != null && ctx.item.price * q > ctx.balance) {
        p.quantity = `积分不够：需要 ${ctx.item.price * q} 分，这户只有 ${ctx.balance} 分`;
      }
    }
  }
  return p;
}

// Request bodies: the resident (or its household) is named, which is what makes it assisted.
// The reason goes along trimmed, and only when one was given (the server refuses a blank one).

/** `{ reason }` when one was given, else nothing. */
export function reasonPart(reason: string | undefined): { reason?: string } {
  const t = (reason ?? '').trim();
  return t ? { reason: t } : {};
}

export function applyBody(residentId: string, reason?: string): { resident_id: string; reason?: string } {
  return { resident_id: residentId, ...reasonPart(reason) };
}

export function signupBody(residentId: string, reason?: string): { resident_id: string; reason?: string } {
  return { resident_id: residentId, ...reasonPart(reason) };
}

export function claimBody(
  residentId: string,
  form: ActForm,
): { resident_id: string; category: PointsCategory; campaign_id?: string; description: string; reason?: string } {
  if (!form.category) throw new Error('claimBody: no category');
  return {
    resident_id: residentId,
    category: form.category,
    ...(form.campaignId ? { campaign_id: form.campaignId } : {}),
    description: form.description.trim(),
    ...reasonPart(form.reason),
  };
}

// Claims: the call for claims (积分活动, step 1) a claim answers. The server takes only a call of
// the resident's site and of the claim's category.

/** How many calls the claim dialog reads (the first page, newest first). */
export const CAMPAIGN_PAGE = 50;

/** GET /points/campaigns for the claim dialog: platform administrators name the resident's site. */
export function campaignQuery(
  role: Role | null,
  siteId: string,
): { limit: number; site_id?: string } {
  return role === 'platform_admin' ? { limit: CAMPAIGN_PAGE, site_id: siteId } : { limit: CAMPAIGN_PAGE };
}

/** A call in the picker: its title and its period. */
export function campaignLabel(c: Pick<Campaign, 'title' | 'period_start' | 'period_end'>): string {
  return `${c.title}（${c.period_start} 至 ${c.period_end}）`;
}

/** The calls a claim of `category` for a resident of `siteId` may answer (none before a category). */
export function campaignOptions<T extends Pick<Campaign, 'site_id' | 'category'>>(
  campaigns: readonly T[],
  category: PointsCategory | '',
  siteId: string,
): T[] {
  if (!category) return [];
  return campaigns.filter((c) => c.category === category && c.site_id === siteId);
}

/** The picked call after the category changed: kept while it still fits, else none. */
export function keptCampaign(
  campaignId: string,
  campaigns: readonly Pick<Campaign, 'id' | 'site_id' | 'category'>[],
  category: PointsCategory | '',
  siteId: string,
): string {
  if (!campaignId) return '';
  return campaignOptions(campaigns, category, siteId).some((c) => c.id === campaignId) ? campaignId : '';
}

export function redeemBody(
  householdId: string,
  form: ActForm,
): { item_id: string; quantity: number; household_id: string; reason?: string } {
  return {
    item_id: form.choiceId,
    quantity: form.quantity,
    household_id: householdId,
    ...reasonPart(form.reason),
  };
}

/** A fresh `Idempotency-Key` for one dialog: a retried confirm is answered once, not twice. */
export function idempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// Choices shown in the dialog's list.

export interface Choice {
  id: string;
  title: string;
  /** Short facts under the title. */
  details: string[];
  /** Why it cannot be picked, if so. */
  disabledReason?: string;
}

export function salaryText(job: Pick<Job, 'salary_min' | 'salary_max' | 'salary_unit'>): string {
  const unit = `元/${SALARY_UNIT_LABELS[job.salary_unit]}`;
  if (job.salary_min <= 0 && job.salary_max <= 0) return '工资面议';
  if (job.salary_min === job.salary_max || job.salary_min <= 0) return `${job.salary_max} ${unit}`;
  return `${job.salary_min}–${job.salary_max} ${unit}`;
}

function monthDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getMonth() + 1}月${d.getDate()}日`;
}

function monthDayTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

export function jobChoice(j: Job): Choice {
  return {
    id: j.id,
    title: j.title,
    details: [
      j.hiring_organization ?? '',
      JOB_CATEGORY_LABELS[j.category],
      salaryText(j),
      j.location,
      `截止 ${monthDay(j.valid_through)}`,
    ].filter(Boolean),
    disabledReason: j.status === 'published' ? undefined : '不在招聘中',
  };
}

/** Whether sign-up is open now: between its opening and closing, and not over. */
export function signupOpen(
  a: Pick<Activity, 'signup_opens_at' | 'signup_closes_at' | 'finished'>,
  now: number = Date.now(),
): boolean {
  const opens = Date.parse(a.signup_opens_at);
  const closes = Date.parse(a.signup_closes_at);
  return !a.finished && opens <= now && now < closes;
}

export function activityChoice(a: Activity, now: number = Date.now()): Choice {
  const seats =
    a.seats_left > 0
      ? `剩 ${a.seats_left} 个名额`
      : a.waitlist_enabled
        ? '名额已满，可排候补'
        : '名额已满';
  let disabledReason: string | undefined;
  if (!signupOpen(a, now)) {
    disabledReason = Date.parse(a.signup_opens_at) > now ? '还没开始报名' : '报名已截止';
  } else if (a.seats_left <= 0 && !a.waitlist_enabled) {
    disabledReason = '名额已满';
  }
  return {
    id: a.id,
    title: a.title,
    details: [monthDayTime(a.starts_at), a.place, seats, `报名截止 ${monthDayTime(a.signup_closes_at)}`],
    disabledReason,
  };
}

export function itemChoice(i: StoreItem, balance: number | null): Choice {
  let disabledReason: string | undefined;
  if (!i.active) disabledReason = '已下架';
  else if (i.stock <= 0) disabledReason = '已售完';
  else if (balance != null && i.price > balance) disabledReason = '积分不够';
  return {
    id: i.id,
    title: i.name,
    details: [`${i.price} 分`, `库存 ${i.stock}`, i.description].filter(Boolean),
    disabledReason,
  };
}

/** Text typed in a dialog's search box against a choice (lists without a server-side search). */
export function choiceMatches(c: Choice, text: string): boolean {
  const t = text.trim();
  if (!t) return true;
  return c.title.includes(t) || c.details.some((d) => d.includes(t));
}

// Results.

export function applicationResult(a: Application, jobTitle: string): string {
  return `已代为报名“${jobTitle}”（${APPLICATION_STATUS_LABELS[a.status]}），用工单位会在系统里看到这份报名。`;
}

export function signupResult(s: Signup, activityTitle: string): string {
  if (s.status === 'waitlisted') {
    return `“${activityTitle}”名额已满，已排在候补第 ${s.position ?? '?'} 位；有人取消时会按顺序递补并通知本人。`;
  }
  return `已代为报名“${activityTitle}”。活动当天到场后，工作人员可按姓名为其签到。`;
}

export function claimResult(c: Claim): string {
  return `已提交“${POINTS_CATEGORY_LABELS[c.category]}”积分申请，等待认定。`;
}

export function redemptionResult(r: Redemption, itemName: string, balanceBefore: number | null): string {
  const left = balanceBefore != null ? `，剩余 ${balanceBefore - r.points} 分` : '';
  return `已兑换“${itemName}” ${r.quantity} 件，扣除 ${r.points} 分${left}。商品待领取，请到柜台交给居民。`;
}

/** Problems that mean something more specific in these dialogs than the shared table says. */
const ACT_MESSAGES: Partial<Record<ActKind, Record<string, string>>> = {
  job: {
    duplicate_application: '这位居民已经报过这个岗位了。',
    not_found: '这个岗位已经不在招聘中了，请刷新后重选。',
  },
  activity: {
    not_found: '这个活动不对这位居民所在的居民组开放报名，或活动已取消。',
  },
  claim: {
    forbidden: '只有居民本人、所在居民组的组长或本安置点的工作人员可以申报积分。',
  },
  redeem: {
    not_found: '这件商品或这户不在本安置点。',
  },
};

/** Chinese for a refused action. */
export function actError(kind: ActKind, e: unknown): string {
  if (e instanceof ApiProblemError) {
    if (kind === 'claim' && e.problem.fields.some((f) => f.field === 'campaign_id')) {
      return '所选积分活动不属于这位居民的安置点，或与积分类别不符，请重选或不关联。';
    }
    const specific = ACT_MESSAGES[kind]?.[e.problem.code];
    if (specific) return specific;
  }
  return errorMessage(e);
}
