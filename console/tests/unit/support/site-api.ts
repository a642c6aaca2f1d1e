// The API both the admin and the registry view tests talk to: committees, groups (two pages),
// buildings, accounts and sites of one site; and a signed-in session of a given role.
import { vi } from 'vitest';
import { createPinia, type Pinia } from 'pinia';
import { setupApi } from '@/api/client';
import { useSessionStore } from '@/stores/session';
import type { Role } from '@/api/types';

const ok = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

export function stubApi(calls: URL[]): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      calls.push(url);
      switch (url.pathname) {
        case '/api/v1/sites/s1/committees':
          return ok({ items: [{ id: 'c1', site_id: 's1', name: '第一居委会', created_at: '' }], next_cursor: null });
        case '/api/v1/groups':
          return url.searchParams.get('cursor')
            ? ok({ items: [{ id: 'g2', site_id: 's1', committee_id: 'c1', name: '第一居委会第2组', created_at: '' }], next_cursor: null })
            : ok({ items: [{ id: 'g1', site_id: 's1', committee_id: 'c1', name: '第一居委会第1组', created_at: '' }], next_cursor: 'G2' });
        case '/api/v1/buildings':
          return ok({ items: [{ id: 'b1', site_id: 's1', group_id: 'g1', name: '1号楼', created_at: '' }], next_cursor: null });
        case '/api/v1/accounts':
          return ok({ items: [], next_cursor: null });
        case '/api/v1/sites':
          return ok({ items: [{ id: 's1', name: '兴贤里', code: 'x', region: '', created_at: '' }], next_cursor: null });
        default:
          return new Response(null, { status: 404 });
      }
    }),
  );
}

export function session(role: Role): Pinia {
  const pinia = createPinia();
  setupApi(pinia);
  const store = useSessionStore(pinia);
  store.setTokens({ access_token: 'T', refresh_token: '', token_type: 'Bearer', expires_in: 900 });
  store.setMe({ account_id: 'a1', role, site_id: 's1', led_group_ids: role === 'group_leader' ? ['g1'] : [] });
  return pinia;
}
