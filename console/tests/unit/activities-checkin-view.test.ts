import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { setupApi } from '@/api/client';
import { useSessionStore } from '@/stores/session';
import CheckinPanel from '@/views/activities/CheckinPanel.vue';
import type { Activity } from '@/api/types';

const activity: Activity = {
  id: 'a1',
  site_id: 's',
  title: '培训',
  description: '',
  kind: 'training',
  place: '三楼',
  starts_at: '2026-12-05T06:00:00Z',
  ends_at: '2026-12-05T08:00:00Z',
  signup_opens_at: '2026-12-01T00:00:00Z',
  signup_closes_at: '2026-12-05T06:00:00Z',
  capacity: 3,
  seats_left: 0,
  waitlist_enabled: true,
  whole_site: true,
  contact: '',
  employer_ids: [],
  finished: false,
};

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status < 300 ? 'application/json' : 'application/problem+json', ...headers },
  });

describe('check-in panel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the typed code and shows who was checked in, then the refusals', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url);
        if (url.pathname === '/api/v1/activities/a1/checkins') {
          const body = (await req.json()) as { code?: string };
          bodies.push(body);
          if (body.code === 'GOODCODE1234') {
            return json(
              {
                id: 'su1',
                activity_id: 'a1',
                resident_id: 'r1',
                status: 'attended',
                code: 'GOODCODE1234',
                on_behalf: false,
                created_at: '2026-12-01T00:00:00Z',
                checked_in_at: '2026-12-05T05:30:00Z',
              },
              200,
              { Date: 'Sat, 05 Dec 2026 05:30:01 GMT' },
            );
          }
          if (body.code === 'AGAINCODE123') {
            return json({
              id: 'su2',
              activity_id: 'a1',
              resident_id: 'r2',
              resident_name: '冯艳',
              status: 'attended',
              code: 'AGAINCODE123',
              on_behalf: false,
              created_at: '2026-12-01T00:00:00Z',
              checked_in_at: '2026-12-05T05:00:00Z',
              repeat: true,
            });
          }
          if (body.code === 'WAITING12345') return json({ code: 'not_confirmed', status: 409 }, 409);
          return json({ code: 'validation_failed', status: 422, errors: { code: 'no sign-up has this code' } }, 422);
        }
        if (url.pathname === '/api/v1/residents/r1') {
          return json({ id: 'r1', name: '高涛' });
        }
        return new Response(null, { status: 404 });
      }),
    );
    const pinia = createPinia();
    setupApi(pinia);
    useSessionStore(pinia).setTokens({ access_token: 'T', refresh_token: '', token_type: 'Bearer', expires_in: 900 });

    const checked = vi.fn();
    const w = mount(CheckinPanel, {
      props: { activity, knownAttended: () => false, onChecked: checked },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    const input = w.find('input[aria-label="签到码"]');
    const status = () => w.find('[role="status"]').text();

    await input.setValue('  GOODCODE1234\n');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(bodies[0]).toEqual({ code: 'GOODCODE1234' });
    expect(status()).toContain('高涛 签到成功');
    expect(w.find('[aria-label="签到结果"]').text()).toContain('高涛 签到成功');
    expect(checked).toHaveBeenCalledOnce();
    // The box is emptied for the next person.
    expect((input.element as HTMLInputElement).value).toBe('');

    // A second scan: the answer's name, and a warning instead of a welcome.
    await input.setValue('AGAINCODE123');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(status()).toContain('冯艳 已签到过');
    expect(w.find('[aria-label="签到结果"]').text()).toContain('冯艳 已签到过');
    expect(document.body.textContent).toContain('冯艳 已签到过，无需重复签到');

    await input.setValue('WAITING12345');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(status()).toContain('没有确认的名额');

    await input.setValue('UNKNOWN12345');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(status()).toContain('未报名此活动');

    // Not a code at all: nothing is sent.
    await input.setValue('https://example.com/');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(status()).toContain('不是签到码');
    expect(bodies).toHaveLength(4);
    w.unmount();
  });
});
