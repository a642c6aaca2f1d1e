// How the activity screens write times (local, i.e. China, time).
import type { Activity } from '@/api/types';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function hm(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function day(d: Date, withYear: boolean): string {
  return `${withYear ? `${d.getFullYear()}年` : ''}${d.getMonth() + 1}月${d.getDate()}日`;
}

/** A date and time, e.g. 2026年12月5日 14:00 (the year only when it is not this year). */
export function dateTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${day(d, d.getFullYear() !== now.getFullYear())} ${hm(d)}`;
}

/** When an activity runs: "12月5日 14:00–16:00", or both ends in full across days. */
export function schedule(a: Pick<Activity, 'starts_at' | 'ends_at'>, now: Date = new Date()): string {
  const s = new Date(a.starts_at);
  const e = new Date(a.ends_at);
  const sameDay =
    s.getFullYear() === e.getFullYear() && s.getMonth() === e.getMonth() && s.getDate() === e.getDate();
  return sameDay ? `${dateTime(a.starts_at, now)}–${hm(e)}` : `${dateTime(a.starts_at, now)} 至 ${dateTime(a.ends_at, now)}`;
}
