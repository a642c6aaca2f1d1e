import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import KioskApp from '@/kiosk/KioskApp.vue';
import PhoneJob from '@/kiosk/PhoneJob.vue';
import { IDLE_MS, REFRESH_MS, ROTATE_MS, hhmm } from '@/kiosk/jobs';
import type { Job, JobCategory, SiteBoard } from '@/api/types';

const SITE = '01a23b7d-d85b-7631-9623-0765aa54e6d9';

function job(id: string, category: JobCategory, title: string): Job {
  return {
    id,
    employer_id: 'e',
    title,
    description: '工作内容',
    category,
    location: '卢氏县',
    salary_min: 2500,
    salary_max: 3500,
    salary_unit: 'month',
    headcount: 3,
    skills: ['缝纫'],
    suitable_for_disabled: true,
    flexible_hours: false,
    transport_provided: false,
    housing_provided: false,
    contact: '0398-1234567',
    valid_through: '2027-01-31T00:00:00Z',
    status: 'published',
    version: 1,
    created_at: '2026-12-01T00:00:00Z',
  };
}

const BOARD: SiteBoard = {
  site_id: SITE,
  site_name: '兴贤里社区',
  activities: [
    {
      id: 'a1',
      title: '就业进社区专场招聘会',
      kind: 'job_fair',
      place: '服务中心大厅',
      starts_at: '2026-12-06T01:00:00Z',
      ends_at: '2026-12-06T04:00:00Z',
      signup_closes_at: '2026-12-06T01:00:00Z',
      seats_left: 80,
    },
  ],
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const page = (items: Job[]) => json({ items, next_cursor: null });

function selected(w: ReturnType<typeof mount>): string {
  return w.find('[aria-selected="true"]').text();
}

describe('kiosk terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date(2026, 11, 3, 8, 30));
    localStorage.clear();
    window.history.replaceState(null, '', '/kiosk/');
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('lists published jobs by category, rotates when idle, and keeps the data when the network drops', async () => {
    const fetch = vi.fn(async (_req: Request) =>
      page([job('1', 'community_workshop', '缝纫工'), job('2', 'public_welfare', '保洁员')]),
    );
    vi.stubGlobal('fetch', fetch);

    const w = mount(KioskApp, { attachTo: document.body });
    await flushPromises();

    const url = new URL((fetch.mock.calls[0]?.[0] as Request).url);
    expect(url.pathname).toBe('/api/v1/jobs');
    expect(url.searchParams.get('limit')).toBe('100');

    // No site: the six categories, no activities tab.
    const tabs = w.findAll('[role="tab"]').map((t) => t.text());
    expect(tabs).toEqual(['本地就业0', '外出务工0', '公益岗位1', '扶贫车间1', '卫星工厂0', '产业基地0']);
    expect(selected(w)).toContain('公益岗位');
    expect(w.text()).toContain('保洁员');
    expect(w.text()).toContain('2500–3500 元/月');

    // Nobody touches it: the next category after ROTATE_MS.
    vi.advanceTimersByTime(ROTATE_MS);
    await flushPromises();
    expect(selected(w)).toContain('扶贫车间');
    expect(w.text()).toContain('缝纫工');

    // The network drops: the list stays, the banner says since when.
    const loadedAt = hhmm(Date.now() - ROTATE_MS);
    fetch.mockImplementation(async () => {
      throw new TypeError('Failed to fetch');
    });
    vi.advanceTimersByTime(REFRESH_MS);
    await flushPromises();
    expect(w.find('[role="status"]').text()).toBe(`网络中断，显示的是 ${loadedAt} 的信息`);
    expect(w.findAll('article').length).toBeGreaterThan(0);
    w.unmount();
  });

  it('opens a job with its QR code, holds it while touched, and returns to the rotation after 60 s idle', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => page([job('j1', 'local', '超市理货员'), job('j2', 'work_away', '电子厂普工')])),
    );
    const w = mount(KioskApp, { attachTo: document.body });
    await flushPromises();
    expect(selected(w)).toContain('本地就业');

    const more = w.findAll('button').find((b) => b.text() === '查看详情和二维码');
    await more?.trigger('pointerdown');
    await more?.trigger('click');
    const qr = w.find('img[alt="手机扫码查看这个岗位"]');
    expect(qr.exists()).toBe(true);
    expect(qr.attributes('src')).toMatch(/^data:image\/svg\+xml/);
    expect(w.find('[aria-label="岗位详情"]').text()).toContain('联系方式0398-1234567');

    // Just under a minute: still on the job, and no rotation.
    vi.advanceTimersByTime(IDLE_MS - 1_000);
    await flushPromises();
    expect(w.find('[aria-label="岗位详情"]').exists()).toBe(true);
    expect(selected(w)).toContain('本地就业');

    // A minute without a touch: back to the list, then rotating again.
    vi.advanceTimersByTime(1_000);
    await flushPromises();
    expect(w.find('[aria-label="岗位详情"]').exists()).toBe(false);
    expect(selected(w)).toContain('本地就业');
    vi.advanceTimersByTime(ROTATE_MS);
    await flushPromises();
    expect(selected(w)).toContain('外出务工');
    w.unmount();
  });

  it('shows the site board of ?site= as its name and an activities tab, also from the cache offline', async () => {
    window.history.replaceState(null, '', `/kiosk/?site=${SITE}`);
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        urls.push(new URL(req.url).pathname);
        return new URL(req.url).pathname.endsWith('/board') ? json(BOARD) : page([job('9', 'local', '搬运工')]);
      }),
    );
    const first = mount(KioskApp);
    await flushPromises();
    expect(urls).toContain(`/api/v1/sites/${SITE}/board`);
    expect(first.find('h1').text()).toBe('兴贤里社区 · 就业岗位信息');
    const tabs = first.findAll('[role="tab"]');
    expect(tabs.map((t) => t.text()).at(-1)).toBe('近期活动1');
    await tabs.at(-1)?.trigger('click');
    expect(first.text()).toContain('就业进社区专场招聘会');
    expect(first.text()).toContain('还有 80 个名额');
    first.unmount();

    // Reloaded while offline: the last jobs and board, with the notice.
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const w = mount(KioskApp);
    await flushPromises();
    expect(w.text()).toContain('搬运工');
    expect(w.find('h1').text()).toBe('兴贤里社区 · 就业岗位信息');
    expect(w.find('[role="status"]').text()).toBe('网络中断，显示的是 08:30 的信息');
    w.unmount();
  });
});

describe('kiosk terminal with an unknown site', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the jobs without a board, and no network warning', async () => {
    localStorage.clear();
    window.history.replaceState(null, '', `/kiosk/?site=${SITE}`);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) =>
        new URL(req.url).pathname.endsWith('/board')
          ? json({ code: 'not_found', status: 404 }, 404)
          : page([job('9', 'local', '搬运工')]),
      ),
    );
    const w = mount(KioskApp);
    await flushPromises();
    expect(w.find('h1').text()).toBe('就业岗位信息');
    expect(w.findAll('[role="tab"]')).toHaveLength(6);
    expect(w.find('[role="status"]').exists()).toBe(false);
    expect(w.text()).toContain('搬运工');
    w.unmount();
    window.history.replaceState(null, '', '/kiosk/');
  });
});

describe('kiosk phone page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the job with a call link, and says when it is no longer open', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (path.endsWith('/board')) return json(BOARD);
        if (path === '/api/v1/jobs/j1') return json(job('j1', 'local', '超市理货员'));
        return json({ code: 'not_found', status: 404 }, 404);
      }),
    );
    const w = mount(PhoneJob, { props: { jobId: 'j1', site: SITE } });
    await flushPromises();
    expect(w.find('h1').text()).toBe('超市理货员');
    expect(w.find('a[href="tel:03981234567"]').exists()).toBe(true);
    expect(w.text()).toContain('兴贤里社区 · 就业岗位信息');
    expect(w.text()).toContain('近期招聘会');
    w.unmount();

    const gone = mount(PhoneJob, { props: { jobId: 'j2', site: null } });
    await flushPromises();
    expect(gone.text()).toContain('这个岗位已经停止招聘');
    gone.unmount();
  });
});
