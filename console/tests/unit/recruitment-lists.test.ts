// The applicants of a posting and the employment records, as staff read them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import ApplicationsPanel from '@/views/recruitment/ApplicationsPanel.vue';
import EmploymentRecord from '@/views/recruitment/EmploymentRecord.vue';
import type { Job } from '@/api/types';
import {
  applicationQuery,
  applicationStatusTag,
  channelLabel,
  EMPLOYMENT_STATE_LABELS,
  employmentMatches,
  employmentQuery,
  onBehalfLabel,
} from '@/views/recruitment/logic';
import { session } from './support/site-api';

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

function stub(routes: Record<string, (u: URL) => unknown>, calls: URL[]): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      calls.push(url);
      const route = routes[url.pathname];
      return route ? json(route(url)) : new Response(null, { status: 404 });
    }),
  );
}

describe('recruitment list queries and labels', () => {
  it('reads applications a page at a time', () => {
    expect(applicationQuery()).toEqual({ limit: 50 });
    expect(applicationQuery('C2')).toEqual({ limit: 50, cursor: 'C2' });
  });

  it('labels who applied and colours the status', () => {
    expect(onBehalfLabel(true)).toBe('代报名');
    expect(onBehalfLabel(false)).toBe('本人报名');
    expect(applicationStatusTag('hired')).toBe('success');
    expect(applicationStatusTag('withdrawn')).toBe('info');
  });

  it('filters employment records by current, ended or all', () => {
    expect(EMPLOYMENT_STATE_LABELS).toEqual({ current: '在岗', ended: '已离岗', all: '全部' });
    expect(employmentQuery('current')).toEqual({ limit: 50, current: true });
    expect(employmentQuery('ended', 'C')).toEqual({ limit: 50, current: false, cursor: 'C' });
    expect(employmentQuery('all', null, 's9')).toEqual({ limit: 50, site_id: 's9' });
  });

  it('keeps a changed record on screen only when it still matches the filter', () => {
    expect(employmentMatches('current', null)).toBe(true);
    expect(employmentMatches('current', '2026-01-31')).toBe(false);
    expect(employmentMatches('ended', '2026-01-31')).toBe(true);
    expect(employmentMatches('ended', undefined)).toBe(false);
    expect(employmentMatches('all', '2026-01-31')).toBe(true);
  });

  it('names the three employment channels', () => {
    expect(channelLabel('work_away')).toBe('外出务工');
    expect(channelLabel('local')).toBe('就近就业');
    expect(channelLabel('industry')).toBe('产业基地');
    expect(channelLabel('other')).toBe('other');
  });
});

const job = {
  id: 'j1',
  title: '包装工',
  status: 'published',
} as unknown as Job;

const application = (id: string, name: string, status: string, onBehalf: boolean) => ({
  id,
  job_id: 'j1',
  resident_id: `r-${id}`,
  on_behalf: onBehalf,
  status,
  created_at: '2026-03-01T02:00:00Z',
  updated_at: '2026-03-01T02:00:00Z',
  resident_name: name,
});

describe('applicants panel', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('lists the posting’s applicants through the cursor', async () => {
    const calls: URL[] = [];
    stub(
      {
        '/api/v1/jobs/j1/applications': (u) =>
          u.searchParams.get('cursor')
            ? { items: [application('a2', '李四', 'hired', false)], next_cursor: null }
            : { items: [application('a1', '张三', 'submitted', true)], next_cursor: 'N2' },
      },
      calls,
    );
    const w = mount(ApplicationsPanel, {
      props: { job },
      global: { plugins: [session('staff')] },
      attachTo: document.body,
    });
    await flushPromises();
    const table = w.find('[aria-label="应聘人员"]');
    expect(table.exists()).toBe(true);
    expect(table.text()).toContain('张三');
    expect(table.text()).toContain('已报名');
    expect(table.text()).toContain('代报名');
    expect(table.text()).toContain('撤回');

    const more = w.findAll('button').find((b) => b.text() === '加载更多');
    await more!.trigger('click');
    await flushPromises();
    expect(table.text()).toContain('李四');
    expect(table.text()).toContain('已录用');
    const listCalls = calls.filter((u) => u.pathname === '/api/v1/jobs/j1/applications');
    expect(listCalls.map((u) => u.searchParams.get('cursor'))).toEqual([null, 'N2']);
    expect(w.findAll('button').some((b) => b.text() === '代居民报名')).toBe(true);
    w.unmount();
  });
});

describe('employment records', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('lists current records first and switches the filter', async () => {
    const calls: URL[] = [];
    stub(
      {
        '/api/v1/groups': () => ({ items: [], next_cursor: null }),
        '/api/v1/employments': (u) =>
          u.searchParams.get('current') === 'false'
            ? {
                items: [
                  { id: 'e2', resident_id: 'r2', household_id: 'h2', channel: 'local', start_date: '2025-05-01', end_date: '2025-12-31', resident_name: '李四' },
                ],
                next_cursor: null,
              }
            : {
                items: [{ id: 'e1', resident_id: 'r1', household_id: 'h1', channel: 'work_away', start_date: '2026-02-01', resident_name: '张三' }],
                next_cursor: null,
              },
      },
      calls,
    );
    const w = mount(EmploymentRecord, { global: { plugins: [session('staff')] }, attachTo: document.body });
    await flushPromises();
    const table = w.find('[aria-label="就业记录"]');
    expect(table.text()).toContain('张三');
    expect(table.text()).toContain('外出务工');
    expect(table.text()).toContain('结束就业');

    const ended = w.findAll('label').find((l) => l.text() === '已离岗');
    await ended!.find('input').setValue(true);
    await flushPromises();
    expect(table.text()).toContain('李四');
    expect(table.text()).toContain('就近就业');
    expect(table.text()).not.toContain('张三');
    const listCalls = calls.filter((u) => u.pathname === '/api/v1/employments');
    expect(listCalls.map((u) => u.searchParams.get('current'))).toEqual(['true', 'false']);
    w.unmount();
  });
});
