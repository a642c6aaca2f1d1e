// The notice form: who receives it (BroadcastAudience: every filter narrows, empty lists mean
// everyone), its Chinese description, and the checks before sending.
import type { BroadcastAudience, BroadcastRequest, Committee, Group } from '@/api/types';

export interface AudienceForm {
  /** The whole site, or residents narrowed by the filters below. */
  scope: 'site' | 'some';
  committeeIds: string[];
  groupIds: string[];
  workingAge: boolean;
  jobSeeking: boolean;
}

export interface NoticeForm {
  title: string;
  body: string;
  urgent: boolean;
  audience: AudienceForm;
}

export function emptyNotice(): NoticeForm {
  return {
    title: '',
    body: '',
    urgent: false,
    audience: { scope: 'site', committeeIds: [], groupIds: [], workingAge: false, jobSeeking: false },
  };
}

/** Whether the narrowed audience has at least one filter. */
function narrowed(a: AudienceForm): boolean {
  return a.committeeIds.length > 0 || a.groupIds.length > 0 || a.workingAge || a.jobSeeking;
}

/**
 * The request's `audience`: absent for the whole site; otherwise only the filters that are set.
 * Groups outside the chosen committees are dropped (they would match nobody).
 */
export function buildAudience(a: AudienceForm, groups: readonly Pick<Group, 'id' | 'committee_id'>[] = []): BroadcastAudience | undefined {
  if (a.scope === 'site' || !narrowed(a)) return undefined;
  const out: BroadcastAudience = {};
  if (a.committeeIds.length) out.committee_ids = [...a.committeeIds];
  const groupIds = groupsWithin(a.groupIds, a.committeeIds, groups);
  if (groupIds.length) out.group_ids = groupIds;
  if (a.workingAge) out.working_age = true;
  if (a.jobSeeking) out.job_seeking = true;
  return out;
}

/** The picked groups that belong to the picked committees (all of them when no committee is picked). */
export function groupsWithin(
  groupIds: readonly string[],
  committeeIds: readonly string[],
  groups: readonly Pick<Group, 'id' | 'committee_id'>[],
): string[] {
  if (!committeeIds.length) return [...groupIds];
  const committeeOf = new Map(groups.map((g) => [g.id, g.committee_id]));
  return groupIds.filter((id) => {
    const c = committeeOf.get(id);
    return c === undefined || committeeIds.includes(c);
  });
}

/** The request body. */
export function noticeBody(f: NoticeForm, groups: readonly Pick<Group, 'id' | 'committee_id'>[] = []): BroadcastRequest {
  const body: BroadcastRequest = { title: f.title.trim(), body: f.body.trim() };
  const audience = buildAudience(f.audience, groups);
  if (audience) body.audience = audience;
  if (f.urgent) body.urgent = true;
  return body;
}

/** Who receives it, in one Chinese sentence: 全体居民, or 第三居民组中劳动年龄（16–59 岁）、正在求职的居民. */
export function describeAudience(
  a: AudienceForm,
  committees: readonly Pick<Committee, 'id' | 'name'>[],
  groups: readonly Pick<Group, 'id' | 'name' | 'committee_id'>[],
): string {
  const built = buildAudience(a, groups);
  if (!built) return '全体居民';
  const name = (list: readonly { id: string; name: string }[], id: string) => list.find((x) => x.id === id)?.name ?? '';
  // Groups are kept only within the chosen committees, so the groups (when any) are the audience.
  const places = (
    built.group_ids?.length
      ? built.group_ids.map((id) => name(groups, id))
      : (built.committee_ids ?? []).map((id) => name(committees, id))
  ).filter(Boolean);
  const traits = [built.working_age ? '劳动年龄（16–59 岁）' : '', built.job_seeking ? '正在求职' : ''].filter(Boolean);
  const where = places.length ? `${places.join('、')}中` : '全体居民中';
  const what = traits.length ? `${traits.join('、')}的居民` : '的居民';
  return `${where}${what}`;
}

/** Field -> Chinese message; empty when the notice may be sent. */
export function checkNotice(f: NoticeForm): Record<string, string> {
  const e: Record<string, string> = {};
  const t = [...f.title.trim()].length;
  const b = [...f.body.trim()].length;
  if (!t) e.title = '请填写标题';
  else if (t > 100) e.title = '标题最多 100 个字';
  if (!b) e.body = '请填写内容';
  else if (b > 2000) e.body = '内容最多 2000 个字';
  if (f.audience.scope === 'some' && !narrowed(f.audience)) e.audience = '请至少选择一个条件，或改为发给全体居民';
  return e;
}
