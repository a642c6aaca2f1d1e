// GB 11643 resident ID numbers, checked in the browser before they go to the server (which
// checks again): 6-digit region, 8-digit birth date, 3-digit sequence (odd 17th digit: male),
// ISO 7064 MOD 11-2 check character.
import type { Gender } from '@/api/types';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character of 17 digits. */
export function idCardCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] ?? '';
}

export type IdCardCheck =
  | { ok: true; number: string; birthDate: string; gender: Gender }
  | { ok: false; message: string };

/** Validates a number as the server does; `today` is `YYYY-MM-DD` (China time). */
export function checkIdCard(input: string, today: string): IdCardCheck {
  const v = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) {
    return { ok: false, message: '身份证号应为 18 位：17 位数字加 1 位数字或 X' };
  }
  if (idCardCheckCharacter(v.slice(0, 17)) !== v[17]) {
    return { ok: false, message: '身份证号校验位不对，可能有一位输错了' };
  }
  if (v.startsWith('0')) return { ok: false, message: '身份证号前 6 位地区码不能以 0 开头' };
  const birthDate = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
  if (!isRealDate(birthDate) || birthDate < '1900-01-01' || birthDate > today) {
    return { ok: false, message: '身份证号第 7–14 位不是有效的出生日期' };
  }
  const gender: Gender = Number(v[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, number: v, birthDate, gender };
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isRealDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Today in China (UTC+8), `YYYY-MM-DD`. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
