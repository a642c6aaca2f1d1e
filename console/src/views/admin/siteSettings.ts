// The 打印设置 tab's rules: what a site's papers print about it (PUT /sites/{id}/settings), checked
// here first as the server does, so the user sees them at once.
import type { Role, SiteSettings, SiteSettingsRequest } from '@/api/types';

/** The server's limits. */
export const NAME_MAX = 50;
export const PHONE_MAX = 20;

export type SettingsField = keyof SiteSettingsRequest;

export function settingsForm(s: SiteSettings | null): SiteSettingsRequest {
  return {
    community_name: s?.community_name ?? '',
    supervision_phone: s?.supervision_phone ?? '',
    seal_text: s?.seal_text ?? '',
  };
}

/** The body to send: each field trimmed. */
export function settingsRequest(f: SiteSettingsRequest): SiteSettingsRequest {
  return {
    community_name: f.community_name.trim(),
    supervision_phone: f.supervision_phone.trim(),
    seal_text: f.seal_text.trim(),
  };
}

/** A landline with its area code, a mobile or a short service number: digits, hyphens and spaces, 5–20, at least 5 digits. */
function validPhone(phone: string): boolean {
  return /^[\d\- ]{5,20}$/.test(phone) && (phone.match(/\d/g)?.length ?? 0) >= 5;
}

/** Field -> what is wrong (empty when the form may be sent). */
export function settingsProblems(f: SiteSettingsRequest): Partial<Record<SettingsField, string>> {
  const p: Partial<Record<SettingsField, string>> = {};
  const r = settingsRequest(f);
  if (!r.community_name) p.community_name = '请填写社区名称';
  else if ([...r.community_name].length > NAME_MAX) p.community_name = `最多 ${NAME_MAX} 个字`;
  if (r.supervision_phone && !validPhone(r.supervision_phone)) {
    p.supervision_phone = '只能填数字、横线和空格，5–20 位，如 0398-7123456';
  }
  if (!r.seal_text) p.seal_text = '请填写公章文字';
  else if ([...r.seal_text].length > NAME_MAX) p.seal_text = `最多 ${NAME_MAX} 个字`;
  return p;
}

/** Site administrators (and platform administrators) change the settings; others only read them. */
export function maySaveSettings(role: Role | null): boolean {
  return role === 'site_admin' || role === 'platform_admin';
}
