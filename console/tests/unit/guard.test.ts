import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPinia } from 'pinia';
import { setupApi } from '@/api/client';
import { setupRouter } from '@/router';
import { useSessionStore } from '@/stores/session';
import type { Role } from '@/api/types';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function boot(opts: { cookie: boolean; role: Role }) {
  const paths: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      paths.push(path);
      if (path === '/api/v1/auth/refresh') {
        return opts.cookie
          ? json(200, { access_token: 'T', refresh_token: '', token_type: 'Bearer', expires_in: 900 })
          : json(401, { type: 'x', title: 'x', status: 401, detail: 'x', code: 'invalid_refresh_token' });
      }
      if (path === '/api/v1/me') {
        return json(200, { account_id: 'a', role: opts.role, site_id: 's', led_group_ids: [] });
      }
      return json(200, { items: [], next_cursor: null });
    }),
  );
  const pinia = createPinia();
  setupApi(pinia);
  return { router: setupRouter(pinia), pinia, paths };
}

describe('permission guard', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends a visitor without a session to the login page, remembering where they were going', async () => {
    const { router } = boot({ cookie: false, role: 'staff' });
    await router.push('/service-desk');
    expect(router.currentRoute.value.name).toBe('login');
    expect(router.currentRoute.value.query.redirect).toBe('/service-desk');
  });

  it('restores the session from the refresh cookie after a reload', async () => {
    const { router, pinia, paths } = boot({ cookie: true, role: 'staff' });
    await router.push('/service-desk');
    expect(router.currentRoute.value.name).toBe('service-desk');
    expect(paths.slice(0, 2)).toEqual(['/api/v1/auth/refresh', '/api/v1/me']);
    expect(useSessionStore(pinia).accessToken).toBe('T');
  });

  it('keeps a role out of areas it may not use and starts it on its first area', async () => {
    const { router } = boot({ cookie: true, role: 'employer' });
    await router.push('/service-desk');
    expect(router.currentRoute.value.name).toBe('forbidden');
    const staff = boot({ cookie: true, role: 'staff' }).router;
    await staff.push('/');
    expect(staff.currentRoute.value.name).toBe('service-desk');
  });
});
