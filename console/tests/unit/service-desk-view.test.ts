import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import { setupApi } from '@/api/client';
import { useSessionStore } from '@/stores/session';
import ServiceDesk from '@/views/service-desk/index.vue';
import type { Job, Me, Resident } from '@/api/types';

function resident(i: number): Resident {
  return {
    id: `r${i}`,
    site_id: 's',
    group_id: 'g1',
    building_id: 'b1',
    household_id: 'h1',
    name: `居民${i}`,
    gender: i % 2 ? 'male' : 'female',
    age: 40,
    phone: `1380013800${i}`,
    id_card_number: '4****************X',
    disability: false,
    party_member: false,
    skills: [],
    employment_status: 'unemployed',
    job_seeking: true,
    job_preferences: {},
    created_at: '2026-12-01T00:00:00Z',
    updated_at: '2026-12-01T00:00:00Z',
  };
}

const JOB: Job = {
  id: 'j1',
  employer_id: 'e',
  title: '超市理货员',
  description: '',
  category: 'local',
  location: '兴贤里',
  salary_min: 2600,
  salary_max: 3200,
  salary_unit: 'month',
  headcount: 3,
  skills: [],
  suitable_for_disabled: false,
  flexible_hours: false,
  transport_provided: false,
  housing_provided: false,
  contact: '',
  valid_through: '2027-01-31T00:00:00Z',
  status: 'published',
  version: 1,
  created_at: '2026-12-01T00:00:00Z',
};

const ok = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

interface Call {
  method: string;
  url: URL;
  auth: string | null;
  key: string | null;
  body: unknown;
}

function stubApi(): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      const text = req.method === 'GET' ? '' : await req.text();
      calls.push({
        method: req.method,
        url,
        auth: req.headers.get('Authorization'),
        key: req.headers.get('Idempotency-Key'),
        body: text ? JSON.parse(text) : null,
      });
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /api/v1/groups':
          return ok({ items: [{ id: 'g1', site_id: 's', committee_id: 'c', name: '第一居民组', created_at: '' }] });
        case 'GET /api/v1/buildings':
          return ok({ items: [{ id: 'b1', site_id: 's', group_id: 'g1', name: '3号楼', created_at: '' }] });
        case 'GET /api/v1/residents':
          if (url.searchParams.get('q')) return ok({ items: [resident(7)], next_cursor: null });
          return url.searchParams.get('cursor')
            ? ok({ items: [resident(3)], next_cursor: null })
            : ok({ items: [resident(1), resident(2)], next_cursor: 'page2' });
        case 'GET /api/v1/residents/export':
          return new Response('\uFEFF姓名\r\n居民7\r\n', {
            status: 200,
            headers: {
              'Content-Type': 'text/csv; charset=utf-8',
              'Content-Disposition': `attachment; filename="export.csv"; filename*=UTF-8''${encodeURIComponent('居民花名册-20261204.csv')}`,
            },
          });
        case 'GET /api/v1/residents/r1':
          return ok(resident(1));
        case 'GET /api/v1/households/h1':
          return ok({
            id: 'h1', site_id: 's', group_id: 'g1', building_id: 'b1', label: '3-201', low_income: true,
            created_at: '', updated_at: '',
            members: [
              { id: 'r1', name: '居民1', gender: 'male', age: 40, relation: 'head' },
              { id: 'r2', name: '居民2', gender: 'female', age: 38, relation: 'spouse' },
            ],
          });
        case 'GET /api/v1/households/h1/points':
          return ok({
            household_id: 'h1',
            balance: 120,
            entries: {
              items: [{
                id: 'e1', kind: 'credit', amount: 20, balance_after: 120, shortfall: 0,
                reference_type: 'claim', reason: '公益服务', created_at: '2026-12-01T00:00:00Z',
              }],
              next_cursor: null,
            },
          });
        case 'GET /api/v1/jobs':
          return ok({ items: [JOB], next_cursor: null });
        case 'POST /api/v1/jobs/j1/applications':
          return ok({
            id: 'a1', job_id: 'j1', resident_id: 'r1', on_behalf: true, status: 'submitted',
            created_at: '', updated_at: '',
          }, 201);
        default:
          return ok({ code: 'route_not_found', status: 404 }, 404);
      }
    }),
  );
  return calls;
}

async function mountDesk(me: Partial<Me> = {}) {
  const pinia = createPinia();
  setupApi(pinia);
  const store = useSessionStore(pinia);
  store.setTokens({ access_token: 'T', token_type: 'Bearer', expires_in: 900 });
  store.setMe({ account_id: 'acc', role: 'staff', site_id: 's', led_group_ids: [], ...me });
  const router = createRouter({
    history: createMemoryHistory('/console/'),
    routes: [{ path: '/service-desk', name: 'service-desk', component: ServiceDesk }],
  });
  await router.push('/service-desk');
  await router.isReady();
  const w = mount(ServiceDesk, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

function button(text: string): HTMLButtonElement | undefined {
  return [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
}

describe('service desk', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('lists residents with the bearer token, searches with q, and loads more with the cursor', async () => {
    const calls = stubApi();
    const { w } = await mountDesk();

    expect(calls.every((c) => c.auth === 'Bearer T')).toBe(true);
    const first = calls.find((c) => c.url.pathname === '/api/v1/residents');
    expect(first?.url.searchParams.get('limit')).toBe('50');
    expect(first?.url.searchParams.has('site_id')).toBe(false);
    expect(w.text()).toContain('居民1');
    expect(w.text()).toContain('3号楼');
    expect(w.text()).toContain('4****************X');
    expect(w.text()).toContain('已加载 2 人');

    button('加载更多')?.click();
    await flushPromises();
    const second = calls.filter((c) => c.url.pathname === '/api/v1/residents')[1];
    expect(second?.url.searchParams.get('cursor')).toBe('page2');
    expect(w.text()).toContain('居民3');
    expect(w.text()).toContain('已全部加载');

    // The one search box goes to the server as q, whatever was loaded before.
    await w.find('input[aria-label="搜索居民"]').setValue(' 138 0013 8007 ');
    await w.find('form').trigger('submit');
    await flushPromises();
    const searched = calls.filter((c) => c.url.pathname === '/api/v1/residents').at(-1);
    expect(searched?.url.searchParams.get('q')).toBe('13800138007');
    expect(searched?.url.searchParams.has('cursor')).toBe(false);
    expect(w.text()).toContain('居民7');
    expect(w.text()).not.toContain('居民1');
    w.unmount();
  });

  it('exports the roster with the filters of the list on screen, in the format picked', async () => {
    const calls = stubApi();
    const saved: string[] = [];
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:roster');
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const { w } = await mountDesk({ role: 'platform_admin', site_id: null });
    useSessionStore().pickSite('s9');
    await w.find('input[aria-label="搜索居民"]').setValue('张');
    await w.find('form').trigger('submit');
    await flushPromises();
    // Typed after the search: not what the list shows, so not exported.
    await w.find('input[aria-label="搜索居民"]').setValue('李');

    button('导出花名册')?.click();
    await flushPromises();
    await new Promise((r) => setTimeout(r, 50));
    const items = [...document.body.querySelectorAll<HTMLElement>('.el-dropdown-menu__item')];
    expect(items.map((i) => i.textContent?.trim())).toEqual(['Excel 表格', 'CSV']);
    items[1]?.click();
    await flushPromises();

    const exported = calls.find((c) => c.url.pathname === '/api/v1/residents/export');
    expect(exported?.auth).toBe('Bearer T');
    expect(Object.fromEntries(exported?.url.searchParams ?? [])).toEqual({ q: '张', site_id: 's9', format: 'csv' });
    expect(saved).toEqual(['居民花名册-20261204.csv']);
    expect(document.body.textContent).toContain('已导出');
    click.mockRestore();
    w.unmount();
  });

  it('opens the resident from the address, shows household and points, and applies for a job for them', async () => {
    const calls = stubApi();
    const { w, router } = await mountDesk();

    button('办理')?.click();
    await flushPromises();
    expect(router.currentRoute.value.query.resident).toBe('r1');
    const drawer = document.body.querySelector('.el-drawer') as HTMLElement;
    expect(drawer.textContent).toContain('居民：居民1');
    expect(drawer.textContent).toContain('户号 3-201');
    expect(drawer.textContent).toContain('家庭积分 120 分');
    expect(drawer.textContent).toContain('家庭成员（2）');
    // Staff: all four, points claims included.
    expect(button('代为报名岗位')).toBeDefined();
    expect(button('代为报名活动')).toBeDefined();
    expect(button('积分兑换商品')).toBeDefined();
    expect(button('代为申报积分')).toBeDefined();

    button('代为报名岗位')?.click();
    await flushPromises();
    const jobsCall = calls.find((c) => c.url.pathname === '/api/v1/jobs');
    expect(jobsCall?.url.searchParams.get('status')).toBe('published');
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('超市理货员');

    // Nothing picked: refused before anything is sent.
    button('确认代为报名岗位')?.click();
    await flushPromises();
    // Element Plus shows a field's error after a short debounce.
    await new Promise((r) => setTimeout(r, 200));
    expect(dialog.textContent).toContain('请选择岗位');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    (dialog.querySelector('input[type="radio"][value="j1"]') as HTMLInputElement).click();
    await flushPromises();
    button('确认代为报名岗位')?.click();
    await flushPromises();
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.url.pathname).toBe('/api/v1/jobs/j1/applications');
    expect(post?.body).toEqual({ resident_id: 'r1' });
    expect(post?.key).toMatch(/.{8,}/);
    expect(dialog.textContent).toContain('已代为报名“超市理货员”（已报名）');
    w.unmount();
  });

  it('shows group leaders the claim action for their group and no store', async () => {
    stubApi();
    const { w, router } = await mountDesk({ role: 'group_leader', led_group_ids: ['g1'] });
    await router.replace({ query: { resident: 'r1' } });
    await flushPromises();
    expect(button('代为申报积分')).toBeDefined();
    expect(button('积分兑换商品')).toBeUndefined();
    w.unmount();
  });
});
