// The counter's checks before a redemption (the server checks again in the same transaction that
// moves balance and stock), and the item form.
import type { ItemRequest, Redemption, StoreItem } from '@/api/types';

export const MAX_QUANTITY = 100;

export interface RedeemCheck {
  /** Points the redemption costs. */
  total: number;
  /** The balance after it (may be negative when it is refused). */
  after: number;
  /** Why it cannot be made, in Chinese; null when it may. */
  problem: string | null;
}

/** Whether a household with `balance` points may redeem `quantity` of `item`. */
export function checkRedemption(
  balance: number | null,
  item: Pick<StoreItem, 'price' | 'stock' | 'active'>,
  quantity: number | null | undefined,
): RedeemCheck {
  const q = quantity ?? 0;
  const total = item.price * q;
  const after = (balance ?? 0) - total;
  const problem = (() => {
    if (balance === null) return '请先选择住户';
    if (!item.active) return '这件商品已下架';
    if (!Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) return `数量应为 1–${MAX_QUANTITY}`;
    if (item.stock <= 0) return '已兑完';
    if (q > item.stock) return `库存只有 ${item.stock} 件`;
    if (total > balance) return `积分不足：需要 ${total} 分，还差 ${total - balance} 分`;
    return null;
  })();
  return { total, after, problem };
}

/** The most of an item a household can take: stock, balance and the per-redemption limit. */
export function maxQuantity(balance: number | null, item: Pick<StoreItem, 'price' | 'stock'>): number {
  if (balance === null || item.price <= 0) return 0;
  return Math.max(0, Math.min(item.stock, Math.floor(balance / item.price), MAX_QUANTITY));
}

/** Items the counter offers: on sale, of the site the screen works in, in stock first. */
export function onSale(items: readonly StoreItem[], siteId: string | null): StoreItem[] {
  return items
    .filter((i) => i.active && (!siteId || i.site_id === siteId))
    .sort((a, b) => Number(b.stock > 0) - Number(a.stock > 0) || a.price - b.price);
}

/** What staff may still do with a redemption. */
export function redemptionActions(r: Pick<Redemption, 'status'>): ('fulfil' | 'cancel')[] {
  return r.status === 'pending' ? ['fulfil', 'cancel'] : [];
}

export interface ItemForm {
  name: string;
  description: string;
  price: number | null;
  stock: number | null;
  active: boolean;
}

export function emptyItem(): ItemForm {
  return { name: '', description: '', price: null, stock: 0, active: true };
}

export function itemForm(i: StoreItem): ItemForm {
  return { name: i.name, description: i.description, price: i.price, stock: i.stock, active: i.active };
}

/** Field -> Chinese message; empty when the item may be saved. */
export function checkItem(f: ItemForm): Record<string, string> {
  const e: Record<string, string> = {};
  const name = [...f.name.trim()].length;
  if (!name) e.name = '请填写商品名称';
  else if (name > 100) e.name = '名称最多 100 个字';
  if ([...f.description].length > 1000) e.description = '说明最多 1000 个字';
  if (f.price == null || !Number.isInteger(f.price) || f.price < 1 || f.price > 100000) {
    e.price = '兑换积分应为 1–100000';
  }
  if (f.stock == null || !Number.isInteger(f.stock) || f.stock < 0 || f.stock > 1000000) {
    e.stock = '库存应为 0–1000000';
  }
  return e;
}

/** The request body (PATCH takes the whole item too: `stock` is set outright). */
export function itemBody(f: ItemForm, siteId?: string | null): ItemRequest {
  const body: ItemRequest = {
    name: f.name.trim(),
    description: f.description.trim(),
    price: f.price ?? 0,
    stock: f.stock ?? 0,
    active: f.active,
  };
  if (siteId) body.site_id = siteId;
  return body;
}
