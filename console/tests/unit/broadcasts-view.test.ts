import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import Broadcasts from '@/views/broadcasts/index.vue';
import type { SentBroadcast } from '@/api/types';
import { session } from './support/site-api';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const outcome = { sent: 0, failed: 0, pending: 0, skipped: 0 };
const notice = (over: Partial<SentBroadcast>): SentBroadcast => ({
  id: 'e1',
  title: '停水通知',
  body: '明天停水',
  audience: {},
  urgent: false,
  sent_by: 'a1',
  created_at: '2026-12-01T01:00:00Z',
  recipients: 40,
  delivered: 38,
  read: 10,
  push: { sent: 30, failed: 2, pending: 6, skipped: 2 },
  sms: outcome,
  ...over,
});

interface Stub {
  sizes: unknown[];
  sends: { body: unknown; key: string | null }[];
  lists: URL[];
}

function stub(recipients: (audience: Record<string, unknown>) => number): Stub {
  const s: Stub = { sizes: [], sends: [], lists: [] };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      switch (`${req.method} ${url.pathname}`) {
        case 'GET /api/v1/sites/s1/committees':
          return json({ items: [{ id: 'c1', site_id: 's1', name: '第一居委会', created_at: '' }], next_cursor: null });
        case 'GET /api/v1/groups':
          return json({ items: [], next_cursor: null });
        case 'POST /api/v1/sites/s1/broadcasts/audience-size': {
          const body = (await req.json()) as Record<string, unknown>;
          s.sizes.push(body);
          return json({ recipients: recipients(body) });
        }
        case 'POST /api/v1/sites/s1/broadcasts':
          s.sends.push({ body: await req.json(), key: req.headers.get('Idempotency-Key') });
          return json({ event_id: 'e9', recipients: 40 }, 202);
        case 'GET /api/v1/sites/s1/broadcasts':
          s.lists.push(url);
          return url.searchParams.get('cursor')
            ? json({ items: [notice({ id: 'e0', title: '旧通知', audience: { committee_ids: ['c1'], working_age: true } })], next_cursor: null })
            : json({ items: [notice({ urgent: true })], next_cursor: 'N2' });
        default:
          return new Response(null, { status: 404 });
      }
    }),
  );
  return s;
}

const settle = async () => {
  await new Promise((r) => setTimeout(r, 350));
  await flushPromises();
  await new Promise((r) => setTimeout(r, 20));
  await flushPromises();
};

function byText(selector: string, text: string): HTMLElement {
  const el = [...document.querySelectorAll<HTMLElement>(selector)].find((b) => b.textContent?.trim() === text);
  if (!el) throw new Error(`no ${selector} "${text}"`);
  return el;
}

describe('broadcasts view', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('shows the expected recipients, confirms with them, sends and refreshes the list', async () => {
    const s = stub(() => 40);
    const w = mount(Broadcasts, { global: { plugins: [session('staff')] }, attachTo: document.body });
    await settle();
    expect(s.sizes).toEqual([{}]);
    expect(w.get('[aria-label="预计人数"]').text()).toBe('预计发送给 40 人');

    const table = w.get('[aria-label="已发送的通知"]');
    expect(table.text()).toContain('停水通知');
    expect(table.text()).toContain('紧急');
    expect(table.text()).toContain('全体居民');
    expect(table.text()).toContain('30 / 2 / 6');
    expect(table.text()).toContain('0 / 0 / 0');
    await w.findAll('button').find((b) => b.text() === '加载更多')!.trigger('click');
    await flushPromises();
    expect(w.get('[aria-label="已发送的通知"]').text()).toContain('1 个居委会、劳动年龄');
    expect(s.lists[1]!.searchParams.get('cursor')).toBe('N2');

    await w.get('#notice-title').setValue('停电通知');
    await w.get('#notice-body').setValue('周五停电');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(document.querySelector('.el-message-box')?.textContent).toContain('确定发送给 40 人？');
    byText('.el-message-box button', '发送').click();
    await flushPromises();
    await new Promise((r) => setTimeout(r, 10));
    await flushPromises();
    expect(s.sends).toHaveLength(1);
    expect(s.sends[0]!.body).toEqual({ title: '停电通知', body: '周五停电' });
    expect(s.sends[0]!.key).toBeTruthy();
    expect(document.body.textContent).toContain('已发送，共 40 人');
    expect(s.lists.length).toBe(3);
    expect(s.lists[2]!.searchParams.get('cursor')).toBeNull();
    w.unmount();
  });

  it('warns and will not send when nobody would receive the notice', async () => {
    const s = stub((a) => (a.job_seeking ? 0 : 40));
    const w = mount(Broadcasts, { global: { plugins: [session('staff')] }, attachTo: document.body });
    await settle();
    const send = () => w.findAll('button').find((b) => b.text() === '发送通知')!;
    expect(send().attributes('disabled')).toBeUndefined();

    await w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'some')!.setValue(true);
    await flushPromises();
    expect(w.get('[aria-label="预计人数"]').text()).toBe('请先选择发送对象');
    await w.findAll('input[type="checkbox"]')[1]!.setValue(true);
    expect(w.get('[aria-label="预计人数"]').text()).toBe('正在计算人数…');
    await settle();
    expect(s.sizes.at(-1)).toEqual({ job_seeking: true });
    expect(w.get('[aria-label="预计人数"]').text()).toBe('预计发送给 0 人');
    expect(w.text()).toContain('不会有人收到');
    expect(send().attributes('disabled')).toBeDefined();
    w.unmount();
  });
});
