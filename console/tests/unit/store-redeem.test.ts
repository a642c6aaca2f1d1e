import { describe, expect, it } from 'vitest';
import type { StoreItem } from '@/api/types';
import {
  checkItem,
  checkRedemption,
  emptyItem,
  itemBody,
  maxQuantity,
  onSale,
  redemptionActions,
} from '@/views/store/redeem';

function item(over: Partial<StoreItem> = {}): StoreItem {
  return { id: 'i1', site_id: 's1', name: '洗衣粉', description: '', price: 30, stock: 5, active: true, ...over };
}

describe('balance checks before redeeming', () => {
  it('allows what the balance and the stock cover', () => {
    expect(checkRedemption(100, item(), 3)).toEqual({ total: 90, after: 10, problem: null });
    expect(checkRedemption(90, item(), 3).problem).toBeNull();
  });

  it('refuses more points than the household holds, saying how many are missing', () => {
    expect(checkRedemption(89, item(), 3)).toEqual({ total: 90, after: -1, problem: '积分不足：需要 90 分，还差 1 分' });
    expect(checkRedemption(0, item(), 1).problem).toBe('积分不足：需要 30 分，还差 30 分');
  });

  it('refuses without a household, off sale, out of stock or beyond the stock', () => {
    expect(checkRedemption(null, item(), 1).problem).toBe('请先选择住户');
    expect(checkRedemption(100, item({ active: false }), 1).problem).toBe('这件商品已下架');
    expect(checkRedemption(100, item({ stock: 0 }), 1).problem).toBe('已兑完');
    expect(checkRedemption(1000, item({ stock: 2 }), 3).problem).toBe('库存只有 2 件');
  });

  it('keeps the quantity within 1–100', () => {
    expect(checkRedemption(100000, item({ price: 1, stock: 1000 }), 0).problem).toBe('数量应为 1–100');
    expect(checkRedemption(100000, item({ price: 1, stock: 1000 }), 101).problem).toBe('数量应为 1–100');
    expect(checkRedemption(100000, item({ price: 1, stock: 1000 }), 1.5).problem).toBe('数量应为 1–100');
  });

  it('caps the quantity box by balance, stock and the per-redemption limit', () => {
    expect(maxQuantity(100, item())).toBe(3);
    expect(maxQuantity(1000, item())).toBe(5);
    expect(maxQuantity(100000, item({ price: 1, stock: 1000 }))).toBe(100);
    expect(maxQuantity(null, item())).toBe(0);
  });
});

describe('the counter', () => {
  it('offers items on sale of the working site, in stock first then cheapest first', () => {
    const list = [
      item({ id: 'a', price: 50 }),
      item({ id: 'b', price: 10, stock: 0 }),
      item({ id: 'c', price: 20 }),
      item({ id: 'd', active: false }),
      item({ id: 'e', site_id: 's2' }),
    ];
    expect(onSale(list, 's1').map((i) => i.id)).toEqual(['c', 'a', 'b']);
    expect(onSale(list, null).map((i) => i.id)).toEqual(['c', 'e', 'a', 'b']);
  });

  it('hands over or cancels only pending redemptions', () => {
    expect(redemptionActions({ status: 'pending' })).toEqual(['fulfil', 'cancel']);
    expect(redemptionActions({ status: 'fulfilled' })).toEqual([]);
    expect(redemptionActions({ status: 'cancelled' })).toEqual([]);
  });
});

describe('item form', () => {
  it('checks name, price and stock', () => {
    expect(checkItem(emptyItem())).toEqual({ name: '请填写商品名称', price: '兑换积分应为 1–100000' });
    expect(checkItem({ ...emptyItem(), name: '毛巾', price: 10, stock: -1 })).toEqual({ stock: '库存应为 0–1000000' });
    expect(checkItem({ ...emptyItem(), name: '毛巾', price: 10, stock: 0 })).toEqual({});
  });

  it('sends the whole item, with the site only when given', () => {
    const f = { name: ' 毛巾 ', description: ' 纯棉 ', price: 10, stock: 3, active: false };
    expect(itemBody(f)).toEqual({ name: '毛巾', description: '纯棉', price: 10, stock: 3, active: false });
    expect(itemBody(f, 's1').site_id).toBe('s1');
  });
});

describe('the staff list of redemptions', () => {
  it('asks GET /store/redemptions for only the filters that are set', async () => {
    const { redemptionQuery } = await import('@/views/store/counter');
    expect(redemptionQuery({})).toEqual({ limit: 20 });
    expect(redemptionQuery({ status: '', householdId: null, siteId: null })).toEqual({ limit: 20 });
    expect(redemptionQuery({ status: 'pending', householdId: 'h1', siteId: 's1' }, 'next', 10)).toEqual({
      status: 'pending',
      household_id: 'h1',
      site_id: 's1',
      limit: 10,
      cursor: 'next',
    });
  });
});
