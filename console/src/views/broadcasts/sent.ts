// What the broadcasts screen says about counts and outcomes: the expected number of recipients
// before sending, the confirm text, and a sent notice's audience and channel outcomes.
import type { BroadcastAudience, ChannelOutcome, Committee, Group } from '@/api/types';
import { describeAudience, type AudienceForm } from './audience';

/** Rows per page of the sent list. */
export const PAGE_SIZE = 20;

/** Short audience of a sent notice: 全体居民, or `2 个居委会、劳动年龄`. */
export function summarizeAudience(a: BroadcastAudience | null | undefined): string {
  const parts: string[] = [];
  const committees = a?.committee_ids?.length ?? 0;
  const groups = a?.group_ids?.length ?? 0;
  if (committees) parts.push(`${committees} 个居委会`);
  if (groups) parts.push(`${groups} 个居民组`);
  if (a?.working_age) parts.push('劳动年龄');
  if (a?.job_seeking) parts.push('求职中');
  return parts.length ? parts.join('、') : '全体居民';
}

/** A sent audience as the form's audience, to name its committees and groups (`describeAudience`). */
export function audienceForm(a: BroadcastAudience | null | undefined): AudienceForm {
  return {
    scope: 'some',
    committeeIds: [...(a?.committee_ids ?? [])],
    groupIds: [...(a?.group_ids ?? [])],
    workingAge: !!a?.working_age,
    jobSeeking: !!a?.job_seeking,
  };
}

/** A channel's outcome in a cell: `成功/失败/待发`, e.g. `12 / 0 / 3`. */
export function formatOutcome(o: ChannelOutcome | null | undefined): string {
  if (!o) return '—';
  return `${o.sent} / ${o.failed} / ${o.pending}`;
}

/** A channel's outcome in words, for the tooltip: 成功 12，失败 0，待发 3，未发 5（…）. */
export function describeOutcome(o: ChannelOutcome | null | undefined): string {
  if (!o) return '';
  const text = `成功 ${o.sent}，失败 ${o.failed}，待发 ${o.pending}`;
  return o.skipped ? `${text}，未发 ${o.skipped}（没有设备或居民已关闭）` : text;
}

export interface CountState {
  /** The site and a valid audience are chosen (otherwise nothing is counted). */
  ready: boolean;
  recipients: number | null;
  loading: boolean;
  error: string;
}

/** The text next to the send button: 预计发送给 N 人, or why there is no number. */
export function countText(s: CountState): string {
  if (!s.ready) return '请先选择发送对象';
  if (s.loading) return '正在计算人数…';
  if (s.error) return '人数暂时无法计算';
  if (s.recipients === null) return '正在计算人数…';
  return `预计发送给 ${s.recipients} 人`;
}

/** The confirm dialog's lines: 确定发送给 N 人？, then what goes to whom. */
export function confirmLines(recipients: number | null, title: string, who: string, urgent: boolean): string[] {
  const lines = [recipients === null ? '确定发送吗？（人数暂时无法计算）' : `确定发送给 ${recipients} 人？`];
  lines.push(`“${title}”将发送给${who}。`);
  if (urgent) lines.push('这是紧急通知，免打扰时段也会送达。');
  return lines;
}

/** The message after the server accepted the notice. */
export function sentMessage(recipients: number): string {
  return `已发送，共 ${recipients} 人，系统正在逐一送达`;
}

/**
 * A sent audience with its committees and groups named (`describeAudience`), for a tooltip; empty
 * when it is the whole site or a committee or group is not known on this screen (any more).
 */
export function audienceDetail(
  a: BroadcastAudience | null | undefined,
  committees: readonly Pick<Committee, 'id' | 'name'>[],
  groups: readonly Pick<Group, 'id' | 'name' | 'committee_id'>[],
): string {
  const known = (list: readonly { id: string }[], ids: readonly string[] | undefined) =>
    (ids ?? []).every((id) => list.some((x) => x.id === id));
  if (summarizeAudience(a) === '全体居民') return '';
  if (!known(committees, a?.committee_ids) || !known(groups, a?.group_ids)) return '';
  return describeAudience(audienceForm(a), committees, groups);
}
