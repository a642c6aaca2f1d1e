import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { setupApi } from '@/api/client';
import { useSessionStore } from '@/stores/session';
import ActDialog from '@/views/service-desk/ActDialog.vue';
import type { Resident } from '@/api/types';

const RESIDENT: Resident = {
  id: 'r1',
  site_id: 's',
  group_id: 'g1',
  building_id: 'b1',
  household_id: 'h1',
  name: '冯艳',
  gender: 'female',
  age: 54,
  id_card_number: '4****************1',
  disability: false,
  party_member: false,
  skills: [],
  employment_status: 'unemployed',
  job_seeking: false,
  job_preferences: {},
  created_at: '',
  updated_at: '',
};

const ok = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function button(text: string): HTMLButtonElement | undefined {
  return [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
}

const settle = async () => {
  await flushPromises();
  await new Promise((r) => setTimeout(r, 150)); // Element Plus shows field errors after a debounce
};

describe('act for a resident: the store', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('redeems for the household with one key per attempt, after checking stock and balance', async () => {
    const posts: { body: unknown; key: string | null }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (req.method === 'GET' && path === '/api/v1/store/items') {
          return ok({
            items: [
              { id: 'i1', site_id: 's', name: '毛巾', description: '', price: 30, stock: 5, active: true },
              { id: 'i2', site_id: 'other', name: '别处的商品', description: '', price: 1, stock: 5, active: true },
              { id: 'i3', site_id: 's', name: '下架商品', description: '', price: 1, stock: 5, active: false },
            ],
            next_cursor: null,
          });
        }
        if (req.method === 'POST' && path === '/api/v1/store/redemptions') {
          posts.push({ body: await req.json(), key: req.headers.get('Idempotency-Key') });
          if (posts.length === 1) throw new TypeError('Failed to fetch');
          return ok({ id: 'x', household_id: 'h1', item_id: 'i1', quantity: 2, points: 60, status: 'pending', created_at: '' }, 201);
        }
        return ok({ code: 'route_not_found', status: 404 }, 404);
      }),
    );
    const pinia = createPinia();
    setupApi(pinia);
    const store = useSessionStore(pinia);
    store.setTokens({ access_token: 'T', token_type: 'Bearer', expires_in: 900 });
    store.setMe({ account_id: 'a', role: 'staff', site_id: 's', led_group_ids: [] });

    const done = vi.fn();
    const w = mount(ActDialog, {
      props: { modelValue: 'redeem', resident: RESIDENT, balance: 100, onDone: done },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    await flushPromises();
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    // Only this site's items on sale.
    expect(dialog.textContent).toContain('毛巾');
    expect(dialog.textContent).not.toContain('别处的商品');
    expect(dialog.textContent).not.toContain('下架商品');

    (dialog.querySelector('input[type="radio"][value="i1"]') as HTMLInputElement).click();
    const qty = dialog.querySelector('input[aria-label="数量"]') as HTMLInputElement;
    qty.value = '4';
    qty.dispatchEvent(new Event('input'));
    qty.dispatchEvent(new Event('change'));
    await flushPromises();
    button('确认积分兑换商品')?.click();
    await settle();
    expect(dialog.textContent).toContain('积分不够：需要 120 分，这户只有 100 分');
    expect(posts).toHaveLength(0);

    qty.value = '2';
    qty.dispatchEvent(new Event('input'));
    qty.dispatchEvent(new Event('change'));
    await flushPromises();
    button('确认积分兑换商品')?.click();
    await settle();
    expect(dialog.textContent).toContain('网络连接失败');
    // Confirming again after a network failure is the same attempt: same key, nothing charged twice.
    button('确认积分兑换商品')?.click();
    await settle();
    expect(posts).toHaveLength(2);
    expect(posts[0]?.body).toEqual({ item_id: 'i1', quantity: 2, household_id: 'h1' });
    expect(posts[1]?.key).toBe(posts[0]?.key);
    expect(dialog.textContent).toContain('已兑换“毛巾” 2 件，扣除 60 分，剩余 40 分');
    expect(done).toHaveBeenCalledWith('redeem');
    w.unmount();
  });
});

describe('act for a resident: the reason (代办原因)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('fills the reason from quick picks and sends it with a sign-up', async () => {
    const posts: { path: string; body: unknown }[] = [];
    const now = Date.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (req.method === 'GET' && path === '/api/v1/activities') {
          return ok({
            items: [
              {
                id: 'a1',
                site_id: 's',
                title: '电工培训',
                description: '',
                kind: 'training',
                place: '培训室',
                starts_at: iso(5 * 86400e3),
                ends_at: iso(5 * 86400e3 + 3600e3),
                signup_opens_at: iso(-86400e3),
                signup_closes_at: iso(4 * 86400e3),
                capacity: 10,
                seats_left: 3,
                waitlist_enabled: true,
                whole_site: true,
                contact: '',
                employer_ids: [],
                finished: false,
              },
            ],
            next_cursor: null,
          });
        }
        if (req.method === 'POST' && path === '/api/v1/activities/a1/signups') {
          posts.push({ path, body: await req.json() });
          return ok(
            { id: 's1', activity_id: 'a1', resident_id: 'r1', code: 'x', on_behalf: true, status: 'confirmed', created_at: '' },
            201,
          );
        }
        return ok({ code: 'route_not_found', status: 404 }, 404);
      }),
    );
    const pinia = createPinia();
    setupApi(pinia);
    const store = useSessionStore(pinia);
    store.setTokens({ access_token: 'T', token_type: 'Bearer', expires_in: 900 });
    store.setMe({ account_id: 'a', role: 'staff', site_id: 's', led_group_ids: [] });

    const w = mount(ActDialog, {
      props: { modelValue: 'activity', resident: RESIDENT, balance: 100 },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    await flushPromises();
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    const box = dialog.querySelector('textarea[aria-label="代办原因"]') as HTMLTextAreaElement;
    expect(box).not.toBeNull();
    expect(box.getAttribute('maxlength')).toBe('200');
    expect(box.placeholder).toContain('老人不会用手机');

    button('不会用手机')?.click();
    await flushPromises();
    expect(box.value).toBe('不会用手机');
    button('电话委托')?.click();
    await flushPromises();
    expect(box.value).toBe('不会用手机，电话委托');

    (dialog.querySelector('input[type="radio"][value="a1"]') as HTMLInputElement).click();
    await flushPromises();
    button('确认代为报名活动')?.click();
    await settle();
    expect(posts).toEqual([
      { path: '/api/v1/activities/a1/signups', body: { resident_id: 'r1', reason: '不会用手机，电话委托' } },
    ]);
    expect(dialog.textContent).toContain('已代为报名“电工培训”');
    w.unmount();
  });
});
