// Dates and numbers as the points, store and broadcasts screens show them.

/** `2026-12-01 09:30` in the browser's time zone (China time at the centre). */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * A rate of 0–1 as a percentage with one decimal, cut rather than rounded up, the way the centre
 * reports it (2,685 of 2,749 households is 97.67%: `97.6%`); a little above 0 is `<0.1%`.
 */
export function percent(rate: number): string {
  if (!Number.isFinite(rate)) return '—';
  if (rate > 0 && rate < 0.001) return '<0.1%';
  // The epsilon keeps 0.976 (975.9999… in binary) at 97.6.
  return `${(Math.floor(rate * 1000 + 1e-6) / 10).toFixed(1)}%`;
}

/** Points with a sign: `+20`, `-5`, `0`. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
