// 语音通知: which residents get a phone call with the most important notices
// (GET/PUT /residents/{id}/voice-mark).
import type { Role, VoiceMark, VoiceReason } from '@/api/types';
import { VOICE_REASON_LABELS } from '@/labels';

/** The control's value: a reason, or '' for no calls (`reason: null`). */
export type VoiceChoice = VoiceReason | '';

export const VOICE_HINT = '标记后，候补成功、面试通知、积分结果会同时打电话告知（每天最多3次，8:00–20:30）。';

/** 不需要 first, then the reasons. */
export const VOICE_CHOICES: readonly { value: VoiceChoice; label: string }[] = [
  { value: '', label: '不需要' },
  ...(Object.entries(VOICE_REASON_LABELS) as [VoiceReason, string][]).map(([value, label]) => ({ value, label })),
];

export function voiceChoice(m: VoiceMark | null | undefined): VoiceChoice {
  return m?.reason ?? '';
}

/** The PUT body. */
export function voiceMarkBody(choice: VoiceChoice): VoiceMark {
  return { reason: choice === '' ? null : choice };
}

/** One line for what is saved. */
export function voiceMarkText(choice: VoiceChoice): string {
  return choice === '' ? '不打电话' : `打电话告知（${VOICE_REASON_LABELS[choice]}）`;
}

/** Staff of the site mark residents; group leaders do not (the server answers 403). */
export function mayMarkVoice(role: Role | null): boolean {
  return role === 'staff' || role === 'site_admin' || role === 'platform_admin';
}
