// Check-in at the door: reading a code from a QR payload (camera or a handheld scanner typing
// into the box), telling the result apart, and not sending the same scan twice in a row.
import { ApiProblemError, errorMessage } from '@/api/problems';
import type { CheckInResult, Signup } from '@/api/types';

/** A check-in code as the server issues it: URL-safe base64, at most 32 characters. */
const CODE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The check-in code in what a QR code (or a scanner) gave, or null when it holds none. The
 * resident's QR code holds the code itself; a link carrying it as `code=` is read too.
 */
export function parseCheckinCode(payload: string): string | null {
  const text = payload.trim();
  if (!text) return null;
  if (CODE.test(text)) return text;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    try {
      const url = new URL(text);
      const code = url.searchParams.get('code')?.trim();
      if (code && CODE.test(code)) return code;
    } catch {
      return null;
    }
  }
  return null;
}

export type CheckinKind =
  | 'checked_in'
  | 'already'
  | 'not_signed_up'
  | 'not_confirmed'
  | 'closed'
  | 'invalid_code'
  | 'error';

export interface CheckinOutcome {
  kind: CheckinKind;
  /** The big line. */
  title: string;
  /** The line below it. */
  detail: string;
  signup?: Signup;
}

/** Seconds between a check-in's time and the server's answer beyond which it was an earlier one. */
const EARLIER_CHECKIN_S = 10;

/**
 * A 200 answers both a first check-in and a repeated one. It was an earlier one when the
 * screen already knew the sign-up as attended, or when its `checked_in_at` is well before the
 * server's `Date` (the time of this answer).
 */
export function wasAlreadyCheckedIn(
  s: Signup,
  serverDate: string | null,
  knownAttended: boolean,
  localNow: Date = new Date(),
): boolean {
  if (knownAttended) return true;
  if (!s.checked_in_at) return false;
  const at = new Date(s.checked_in_at).getTime();
  const parsed = serverDate ? new Date(serverDate).getTime() : NaN;
  const now = Number.isFinite(parsed) ? parsed : localNow.getTime();
  return now - at > EARLIER_CHECKIN_S * 1000;
}

function clock(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** What a successful answer means, for the person at the door. */
export function successOutcome(s: Signup, name: string, already: boolean): CheckinOutcome {
  const who = name || '该居民';
  return already
    ? {
        kind: 'already',
        title: `${who} 已签到过`,
        detail: `无需重复签到（签到时间 ${clock(s.checked_in_at)}），不会重复计算`,
        signup: s,
      }
    : { kind: 'checked_in', title: `${who} 签到成功`, detail: `签到时间 ${clock(s.checked_in_at)}`, signup: s };
}

/** What a refused check-in means. */
export function failureOutcome(e: unknown): CheckinOutcome {
  if (e instanceof ApiProblemError) {
    const { code, status, fields } = e.problem;
    if (code === 'not_confirmed') {
      return {
        kind: 'not_confirmed',
        title: '没有确认的名额',
        detail: '这位居民在候补名单上，或已取消报名，不能签到',
      };
    }
    if (code === 'checkin_closed') {
      return {
        kind: 'closed',
        title: '现在不能签到',
        detail: '签到时间为活动开始前 1 小时到活动结束',
      };
    }
    // An unknown code is a 422 on `code`; a resident without a sign-up is a 404.
    if (status === 422 && fields.some((f) => f.field === 'code')) {
      return { kind: 'not_signed_up', title: '未报名此活动', detail: '没有找到这个签到码的报名，请核对是否是本活动的签到码' };
    }
    if (code === 'not_found') {
      return { kind: 'not_signed_up', title: '未报名此活动', detail: '这位居民没有报名这个活动' };
    }
  }
  return { kind: 'error', title: '签到没有成功', detail: errorMessage(e) };
}

export const INVALID_CODE_OUTCOME: CheckinOutcome = {
  kind: 'invalid_code',
  title: '不是签到码',
  detail: '请扫描居民手机上“我的活动”里的签到二维码',
};

/**
 * Lets a scan through unless it is the same payload as the last one within `quietMs` (a QR code
 * held in front of the camera is read on every frame).
 */
export class ScanGate {
  private last = '';
  private at = -Infinity;
  constructor(private readonly quietMs = 3000) {}

  pass(payload: string, now: number = Date.now()): boolean {
    if (payload === this.last && now - this.at < this.quietMs) {
      this.at = now;
      return false;
    }
    this.last = payload;
    this.at = now;
    return true;
  }

  reset(): void {
    this.last = '';
    this.at = -Infinity;
  }
}

/** Why the camera did not start, in Chinese. */
export function cameraErrorMessage(e: unknown): string {
  const name = e instanceof Error || (typeof e === 'object' && e !== null && 'name' in e)
    ? String((e as { name: unknown }).name)
    : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return '没有使用摄像头的权限，请在浏览器地址栏旁允许使用摄像头后重试。';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return '没有找到摄像头，请接上摄像头，或在输入框中输入签到码。';
    case 'NotReadableError':
    case 'AbortError':
      return '摄像头被其他程序占用，请关闭其他使用摄像头的程序后重试。';
    case 'Unsupported':
      return '这个浏览器或页面不能使用摄像头（需要 HTTPS），请在输入框中输入签到码。';
    default:
      return '摄像头没有打开，请重试，或在输入框中输入签到码。';
  }
}

/**
 * Whether the answer was a repeated check-in: the server's `repeat`, or (an older server without
 * it) what {@link wasAlreadyCheckedIn} makes of the times.
 */
export function isRepeat(
  r: Signup & { repeat?: boolean | null },
  serverDate: string | null,
  knownAttended: boolean,
  localNow: Date = new Date(),
): boolean {
  if (typeof r.repeat === 'boolean') return r.repeat;
  return wasAlreadyCheckedIn(r, serverDate, knownAttended, localNow);
}

/** The name to show for a check-in: the one in the answer, else one looked up, else empty. */
export function checkinName(r: Pick<CheckInResult, 'resident_name'>, lookedUp?: string | null): string {
  return r.resident_name?.trim() || lookedUp?.trim() || '';
}

/** The pop-up message after a check-in went through. */
export function checkinToast(name: string, repeat: boolean): { type: 'success' | 'warning'; message: string } {
  const who = name || '该居民';
  return repeat
    ? { type: 'warning', message: `${who} 已签到过，无需重复签到` }
    : { type: 'success', message: `${who} 签到成功` };
}

/** The line that keeps the last result on screen: `09:30 高涛 签到成功`. */
export function resultLine(o: CheckinOutcome, at: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(at.getHours())}:${p(at.getMinutes())} ${o.title}`;
}
