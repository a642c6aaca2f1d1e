// The campaign form (step 1, 通知) and the category range form: checks and request bodies.
import type { Campaign, CampaignRequest, Claim, PointsCategory } from '@/api/types';

export interface CampaignForm {
  category: PointsCategory | '';
  title: string;
  rules: string;
  /** [first day, last day] as YYYY-MM-DD, or null. */
  period: [string, string] | null;
  /** Whole site, or only some groups. */
  audience: 'site' | 'groups';
  groupIds: string[];
}

export function emptyCampaign(): CampaignForm {
  return { category: '', title: '', rules: '', period: null, audience: 'site', groupIds: [] };
}

const chars = (s: string) => [...s.trim()].length;

/** Field -> Chinese message for what is wrong; empty when the form may be sent. */
export function checkCampaign(f: CampaignForm): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.category) e.category = '请选择类别';
  if (!chars(f.title)) e.title = '请填写标题';
  else if (chars(f.title) > 100) e.title = '标题最多 100 个字';
  if (!chars(f.rules)) e.rules = '请填写申报规则';
  else if (chars(f.rules) > 2000) e.rules = '规则最多 2000 个字';
  if (!f.period) e.period = '请选择起止日期';
  else if (f.period[0] > f.period[1]) e.period = '开始日期不能晚于结束日期';
  if (f.audience === 'groups' && f.groupIds.length === 0) e.groupIds = '请选择居民组';
  return e;
}

/** The request body; `siteId` only for platform administrators (others publish in their site). */
export function campaignBody(f: CampaignForm, siteId?: string | null): CampaignRequest {
  if (!f.category || !f.period) throw new Error('checkCampaign first');
  const body: CampaignRequest = {
    category: f.category,
    title: f.title.trim(),
    rules: f.rules.trim(),
    period_start: f.period[0],
    period_end: f.period[1],
  };
  if (f.audience === 'groups') body.group_ids = [...f.groupIds];
  if (siteId) body.site_id = siteId;
  return body;
}

/** A category's range: at least 1, at most 10,000, min not above max. */
export function checkRange(min: number | null | undefined, max: number | null | undefined): string | null {
  if (min == null || max == null || !Number.isInteger(min) || !Number.isInteger(max)) {
    return '请填写最少和最多积分。';
  }
  if (min < 1) return '最少积分不能小于 1。';
  if (max > 10000) return '最多积分不能超过 10000。';
  if (min > max) return '最少积分不能大于最多积分。';
  return null;
}

// --- The list of calls for claims ---

/** A call's period as the list shows it: `2026-12-01 至 2026-12-31` (one day: that day). */
export function periodText(c: Pick<Campaign, 'period_start' | 'period_end'>): string {
  return c.period_start === c.period_end ? c.period_start : `${c.period_start} 至 ${c.period_end}`;
}

export type CampaignPhase = 'upcoming' | 'open' | 'ended';

export const CAMPAIGN_PHASE_LABELS: Record<CampaignPhase, string> = {
  upcoming: '未开始',
  open: '申报中',
  ended: '已结束',
};

/** Today as YYYY-MM-DD in the browser's time zone (China time at the centre). */
export function localDay(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** Whether a call takes claims on `today` (YYYY-MM-DD; both ends included). */
export function campaignPhase(c: Pick<Campaign, 'period_start' | 'period_end'>, today: string): CampaignPhase {
  if (today < c.period_start) return 'upcoming';
  if (today > c.period_end) return 'ended';
  return 'open';
}

/** The claims that answer one call, newest first as the list gave them. */
export function claimsOfCampaign<T extends Pick<Claim, 'campaign_id'>>(claims: readonly T[], campaignId: string): T[] {
  return claims.filter((c) => c.campaign_id === campaignId);
}
