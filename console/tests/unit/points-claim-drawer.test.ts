import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { setupApi } from '@/api/client';
import type { Claim, Me } from '@/api/types';
import { useSessionStore } from '@/stores/session';
import ClaimDrawer from '@/views/points/ClaimDrawer.vue';

const CLAIM: Claim = {
  id: 'c1',
  household_id: 'h1',
  resident_id: 'r1',
  category: 'environment',
  description: '清扫 3 号楼楼道',
  status: 'applied',
  on_behalf: true,
  created_at: '2026-12-03T01:00:00Z',
  steps: [{ from: '', to: 'applied', actor_role: 'group_leader', at: '2026-12-03T01:00:00Z' }],
  photos: [
    {
      position: 1,
      content_type: 'image/png',
      size_bytes: 10,
      sha256: 'x',
      href: '/api/v1/points/claims/c1/photos/1',
      url: '/api/v1/points/claims/c1/photos/1?expires=1796263200&by=a1&signature=00',
      url_expires_at: '2026-12-03T01:10:00Z',
    },
    {
      position: 2,
      content_type: 'image/png',
      size_bytes: 10,
      sha256: 'y',
      href: '/api/v1/points/claims/c1/photos/2',
      url: '/api/v1/points/claims/c1/photos/2?expires=1796263200&by=a1&signature=00',
      url_expires_at: '2026-12-03T01:10:00Z',
    },
  ],
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

interface Call {
  method: string;
  path: string;
  auth: string | null;
  body: unknown;
}

function stubApi(): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      const text = req.method === 'GET' ? '' : await req.text();
      calls.push({ method: req.method, path: url.pathname, auth: req.headers.get('Authorization'), body: text ? JSON.parse(text) : null });
      switch (`${req.method} ${url.pathname}`) {
        case 'GET /api/v1/points/claims/c1':
          return json(CLAIM);
        case 'GET /api/v1/points/claims/c1/photos/1':
        case 'GET /api/v1/points/claims/c1/photos/2':
          return new Response(new Uint8Array([137, 80, 78, 71]), { status: 200, headers: { 'Content-Type': 'image/png' } });
        case 'GET /api/v1/households/h1':
          return json({
            id: 'h1', site_id: 's', group_id: 'g1', building_id: 'b1', label: '1-101', low_income: false,
            created_at: '', updated_at: '',
            members: [{ id: 'r1', name: '冯艳', gender: 'female', age: 40, relation: 'head' }],
          });
        case 'POST /api/v1/points/claims/c1/verify':
          return json({ ...CLAIM, status: 'verified', points: 4 });
        default:
          return json({ code: 'route_not_found', status: 404 }, 404);
      }
    }),
  );
  return calls;
}

async function mountDrawer(me: Partial<Me>) {
  const pinia = createPinia();
  setupApi(pinia);
  const store = useSessionStore(pinia);
  store.setTokens({ access_token: 'T', token_type: 'Bearer', expires_in: 900 });
  store.setMe({ account_id: 'acc', role: 'staff', site_id: 's', led_group_ids: [], ...me });
  const categories = [{ category: 'environment' as const, title: '争当环境爱护者', min_points: 1, max_points: 10, customised: false }];
  const w = mount(ClaimDrawer, {
    props: { modelValue: null, categories },
    global: { plugins: [pinia] },
    attachTo: document.body,
  });
  await w.setProps({ modelValue: 'c1' });
  await flushPromises();
  await flushPromises();
  return w;
}

const buttons = () => [...document.body.querySelectorAll('button')].map((b) => b.textContent?.trim() ?? '');

describe('claim detail', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    document.body.innerHTML = '';
  });

  it('fetches the photos with the bearer token and shows them through object URLs', async () => {
    const made: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b: Blob | MediaSource) => {
      made.push(b as Blob);
      return `blob:test/${made.length}`;
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const calls = stubApi();
    await mountDrawer({ role: 'staff' });

    const photos = calls.filter((c) => c.path.includes('/photos/'));
    expect(photos.map((c) => c.path)).toEqual(['/api/v1/points/claims/c1/photos/1', '/api/v1/points/claims/c1/photos/2']);
    expect(photos.every((c) => c.auth === 'Bearer T')).toBe(true);
    expect(made).toHaveLength(2);
    const srcs = [...document.body.querySelectorAll('.photos img')].map((i) => i.getAttribute('src'));
    expect(srcs).toEqual(['blob:test/1', 'blob:test/2']);
    expect(document.body.textContent).toContain('冯艳（户号 1-101）');
  });

  it('offers staff verification of a leader-filed claim, and sends the points within the range', async () => {
    const calls = stubApi();
    await mountDrawer({ role: 'staff' });
    expect(buttons()).toContain('认定');
    expect(buttons()).toContain('驳回');
    [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === '认定')?.click();
    await flushPromises();
    [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === '确认认定')?.click();
    await flushPromises();
    const verify = calls.find((c) => c.path === '/api/v1/points/claims/c1/verify');
    expect(verify?.body).toEqual({ points: 1 });
  });

  it('does not offer the leader who filed it the verification', async () => {
    stubApi();
    await mountDrawer({ role: 'group_leader', led_group_ids: ['g1'] });
    expect(buttons()).not.toContain('认定');
    expect(buttons()).toContain('驳回');
  });
});
