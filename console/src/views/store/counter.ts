// Redemptions for staff: the site's list (GET /store/redemptions: to hand over, by household),
// handing over and cancelling, and what a row shows instead of ids.
import { api } from '@/api/client';
import type { ExportFormat } from '@/api/download';
import { unwrap } from '@/api/problems';
import type { Redemption, RedemptionStatus } from '@/api/types';

export const REDEMPTION_PAGE = 20;

export interface RedemptionFilter {
  status?: RedemptionStatus | '';
  householdId?: string | null;
  /** Platform administrators: the site they work in. */
  siteId?: string | null;
}

/** The query of GET /store/redemptions: only what is set. */
export function redemptionQuery(
  f: RedemptionFilter,
  cursor?: string | null,
  limit = REDEMPTION_PAGE,
): { status?: RedemptionStatus; household_id?: string; site_id?: string; limit: number; cursor?: string } {
  const q: ReturnType<typeof redemptionQuery> = { limit };
  if (f.status) q.status = f.status;
  if (f.householdId) q.household_id = f.householdId;
  if (f.siteId) q.site_id = f.siteId;
  if (cursor) q.cursor = cursor;
  return q;
}

/** The query of GET /store/redemptions/export: the list's filters and the format, no paging. */
export function redemptionExportQuery(
  f: RedemptionFilter,
  format: ExportFormat,
): { status?: RedemptionStatus; household_id?: string; site_id?: string; format: ExportFormat } {
  const q: ReturnType<typeof redemptionExportQuery> & { limit?: number } = { ...redemptionQuery(f, null), format };
  delete q.limit;
  return q;
}

export async function loadRedemptions(
  f: RedemptionFilter,
  cursor?: string | null,
  limit = REDEMPTION_PAGE,
): Promise<{ items: Redemption[]; next_cursor?: string | null }> {
  return unwrap(
    api().GET('/api/v1/store/redemptions', { params: { query: redemptionQuery(f, cursor, limit) } }),
  );
}

/** Hands a redemption over or cancels it (a refund entry returns the points, stock is restored). */
export async function settle(r: Redemption, action: 'fulfil' | 'cancel'): Promise<Redemption> {
  const path = { params: { path: { id: r.id } } };
  return action === 'fulfil'
    ? unwrap(api().POST('/api/v1/store/redemptions/{id}/fulfil', path))
    : unwrap(api().POST('/api/v1/store/redemptions/{id}/cancel', path));
}
