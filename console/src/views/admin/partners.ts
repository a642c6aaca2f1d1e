// The 合作系统 tab's logic: the new-partner form's rules (GB 32100 credit code, webhook URL) and
// the secret-rotation overlap choices.
import type { PartnerRequest, PartnerScope } from '@/api/types';

const CODE_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const AUTHORITIES = '123456789ANY';

/** What is wrong with a unified social credit code (统一社会信用代码), or '' when valid. */
export function creditCodeProblem(input: string): string {
  const code = input.trim().toUpperCase();
  if ([...code].length !== 18) return '统一社会信用代码应为 18 位';
  if (![...code].every((c) => CODE_SET.includes(c))) {
    return '统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）';
  }
  if (!AUTHORITIES.includes(code[0] as string)) return '统一社会信用代码第 1 位应为 1–9、A、N 或 Y';
  if (!/^\d{6}$/.test(code.slice(2, 8))) return '统一社会信用代码第 3–8 位应为 6 位行政区划代码';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CODE_SET.indexOf(code[i] as string) * (WEIGHTS[i] ?? 0);
  const check = CODE_SET[(31 - (sum % 31)) % 31];
  if (code[17] !== check) return '统一社会信用代码校验位不对，可能有一位输错了';
  return '';
}

export interface PartnerForm {
  name: string;
  creditCode: string;
  webhookUrl: string;
  scopes: PartnerScope[];
  reviewInbound: boolean;
}

export function emptyPartnerForm(): PartnerForm {
  return { name: '', creditCode: '', webhookUrl: '', scopes: ['jobs:write', 'jobs:read'], reviewInbound: true };
}

export function partnerFormProblems(f: PartnerForm): Record<string, string> {
  const p: Record<string, string> = {};
  const name = f.name.trim();
  if (!name) p.name = '请填写名称';
  else if ([...name].length > 200) p.name = '名称最多 200 个字';
  const code = creditCodeProblem(f.creditCode);
  if (code) p.creditCode = code;
  if (f.scopes.length === 0) p.scopes = '请至少选择一项权限';
  const url = f.webhookUrl.trim();
  if (url) {
    if (url.length > 2000 || /\s/.test(url) || !/^https?:\/\/[^/]+/i.test(url)) {
      p.webhookUrl = '请填写以 https:// 开头的完整网址';
    }
  } else if (f.scopes.includes('webhooks')) {
    p.webhookUrl = '接收岗位推送需要填写推送地址';
  }
  return p;
}

export function partnerRequest(f: PartnerForm): PartnerRequest {
  const body: PartnerRequest = {
    name: f.name.trim(),
    credit_code: f.creditCode.trim().toUpperCase(),
    scopes: [...f.scopes],
    review_inbound: f.reviewInbound,
  };
  if (f.webhookUrl.trim()) body.webhook_url = f.webhookUrl.trim();
  return body;
}

/** How long the old secrets keep working after a rotation (the server allows 0 to 7 days). */
export const OVERLAP_OPTIONS: readonly { seconds: number; label: string }[] = [
  { seconds: 0, label: '立即失效' },
  { seconds: 3600, label: '1 小时' },
  { seconds: 86_400, label: '1 天（默认）' },
  { seconds: 3 * 86_400, label: '3 天' },
  { seconds: 7 * 86_400, label: '7 天' },
];

/** Problem codes of this tab that the shared table does not translate yet. */
export const PARTNER_PROBLEMS: Readonly<Record<string, string>> = {
  credit_code_taken: '这个统一社会信用代码已经登记过。',
  illegal_transition: '这条推送不是失败状态，不能重发。',
};

/** Copies text to the clipboard; false when the browser refuses. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older browsers or no permission: the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/** Webhook `type`s of deliveries; an unknown one shows as it is. */
const EVENT_LABELS: Readonly<Record<string, string>> = {
  'job.published': '岗位发布',
  'job.updated': '岗位更新',
  'job.closed': '岗位关闭',
  'job.filled': '岗位招满',
  'job.expired': '岗位到期',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}
