// Formatting for the resident's page.
import type { LedgerEntry } from '@/api/types';

/** Ledger entries per page. */
export const LEDGER_PAGE = 20;

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('zh-CN', { hour12: false });
}

/** "+20" / "-15"; a deduction that could not take everything says how much was missing. */
export function pointsText(e: Pick<LedgerEntry, 'amount' | 'shortfall'>): string {
  const sign = e.amount > 0 ? '+' : '';
  const base = `${sign}${e.amount}`;
  return e.shortfall > 0 ? `${base}（不足 ${e.shortfall} 分未扣）` : base;
}
