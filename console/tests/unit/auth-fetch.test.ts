import { describe, expect, it, vi } from 'vitest';
import createClient from 'openapi-fetch';
import { createSession, type TokenHolder } from '@/api/auth-fetch';
import type { paths, TokenResponse } from '@/api/types';

const BASE = 'http://console.test';

function holder(initial: string | null): TokenHolder & { value: string | null } {
  const h = {
    value: initial,
    get: () => h.value,
    set: (t: TokenResponse) => {
      h.value = t.access_token;
    },
    clear: () => {
      h.value = null;
    },
  };
  return h;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });
}

const pair = (access: string): TokenResponse => ({
  access_token: access,
  refresh_token: 'ignored-by-the-console',
  token_type: 'Bearer',
  expires_in: 900,
});

const unauthorized = () =>
  json(401, { type: 'urn:anju:problem:invalid_token', title: 'Unauthorized', status: 401, detail: 'expired', code: 'invalid_token' });

/** A fake API: accepts only `Bearer <valid>`; refresh answers `refreshWith` (or 401). */
function fakeServer(opts: { valid: string; refreshWith: string | null }) {
  const seen: { method: string; path: string; auth: string | null; body: string; credentials: string }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    const body = await req.text();
    seen.push({ method: req.method, path, auth: req.headers.get('Authorization'), body, credentials: req.credentials });
    if (path === '/api/v1/auth/refresh') {
      return opts.refreshWith ? json(200, pair(opts.refreshWith)) : unauthorized();
    }
    if (path === '/api/v1/auth/logout') return new Response(null, { status: 204 });
    if (req.headers.get('Authorization') !== `Bearer ${opts.valid}`) return unauthorized();
    return json(200, { echo: body, path });
  });
  return { fetch, seen };
}

describe('session fetch', () => {
  it('sends the in-memory access token as a bearer token', async () => {
    const server = fakeServer({ valid: 'A1', refreshWith: null });
    const s = createSession({ baseUrl: BASE, tokens: holder('A1'), fetch: server.fetch });
    const res = await s.fetch(new Request(`${BASE}/api/v1/me`));
    expect(res.status).toBe(200);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.auth).toBe('Bearer A1');
  });

  it('on a 401 refreshes once with the cookie and an empty body, then retries with the new token', async () => {
    const server = fakeServer({ valid: 'A2', refreshWith: 'A2' });
    const tokens = holder('A1-expired');
    const s = createSession({ baseUrl: BASE, tokens, fetch: server.fetch });

    const res = await s.fetch(
      new Request(`${BASE}/api/v1/points/claims`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ claim: 'x' }),
      }),
    );

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: '{"claim":"x"}', path: '/api/v1/points/claims' });
    expect(server.seen.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual([
      'POST /api/v1/points/claims Bearer A1-expired',
      'POST /api/v1/auth/refresh null',
      'POST /api/v1/points/claims Bearer A2',
    ]);
    const refresh = server.seen[1];
    expect(refresh?.body).toBe('{}');
    expect(refresh?.credentials).toBe('include');
    expect(tokens.value).toBe('A2');
  });

  it('shares one refresh between requests that fail together', async () => {
    const server = fakeServer({ valid: 'B2', refreshWith: 'B2' });
    const s = createSession({ baseUrl: BASE, tokens: holder('B1'), fetch: server.fetch });
    const results = await Promise.all([
      s.fetch(new Request(`${BASE}/api/v1/residents`)),
      s.fetch(new Request(`${BASE}/api/v1/groups`)),
      s.fetch(new Request(`${BASE}/api/v1/buildings`)),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.seen.filter((r) => r.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('does not retry when the refresh fails, forgets the token and reports the lost session', async () => {
    const server = fakeServer({ valid: 'never', refreshWith: null });
    const tokens = holder('C1');
    const lost = vi.fn();
    const s = createSession({ baseUrl: BASE, tokens, fetch: server.fetch, onSessionLost: lost });
    const res = await s.fetch(new Request(`${BASE}/api/v1/me`));
    expect(res.status).toBe(401);
    expect(server.seen.map((r) => r.path)).toEqual(['/api/v1/me', '/api/v1/auth/refresh']);
    expect(tokens.value).toBeNull();
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('refreshes only once: a retry that is still 401 is returned as it is', async () => {
    // The refresh hands out a token the API still refuses.
    const server = fakeServer({ valid: 'other', refreshWith: 'D2' });
    const s = createSession({ baseUrl: BASE, tokens: holder('D1'), fetch: server.fetch });
    const res = await s.fetch(new Request(`${BASE}/api/v1/me`));
    expect(res.status).toBe(401);
    expect(server.seen.map((r) => r.path)).toEqual(['/api/v1/me', '/api/v1/auth/refresh', '/api/v1/me']);
  });

  it('never refreshes for the auth endpoints themselves (a wrong password stays a 401)', async () => {
    const server = fakeServer({ valid: 'x', refreshWith: 'E2' });
    const s = createSession({ baseUrl: BASE, tokens: holder(null), fetch: server.fetch });
    const res = await s.fetch(new Request(`${BASE}/api/v1/auth/login`, { method: 'POST', body: '{}' }));
    expect(res.status).toBe(401);
    expect(server.seen.map((r) => r.path)).toEqual(['/api/v1/auth/login']);
  });

  it('a first visit without a cookie is not a lost session', async () => {
    const server = fakeServer({ valid: 'x', refreshWith: null });
    const lost = vi.fn();
    const s = createSession({ baseUrl: BASE, tokens: holder(null), fetch: server.fetch, onSessionLost: lost });
    expect(await s.refresh()).toBeNull();
    expect(lost).not.toHaveBeenCalled();
  });

  it('logout posts to /auth/logout with the cookie and clears the token even if the network fails', async () => {
    const server = fakeServer({ valid: 'F1', refreshWith: null });
    const tokens = holder('F1');
    await createSession({ baseUrl: BASE, tokens, fetch: server.fetch }).logout();
    expect(server.seen.map((r) => `${r.method} ${r.path} ${r.credentials} ${r.body}`)).toEqual([
      'POST /api/v1/auth/logout include {}',
    ]);
    expect(tokens.value).toBeNull();

    const offline = holder('F2');
    const failing = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await createSession({ baseUrl: BASE, tokens: offline, fetch: failing }).logout();
    expect(offline.value).toBeNull();
  });

  it('works under the typed openapi-fetch client', async () => {
    const server = fakeServer({ valid: 'G2', refreshWith: 'G2' });
    const s = createSession({ baseUrl: BASE, tokens: holder('G1'), fetch: server.fetch });
    const client = createClient<paths>({ baseUrl: BASE, fetch: s.fetch });
    const { response } = await client.GET('/api/v1/residents', {
      params: { query: { limit: 5, working_age: true } },
    });
    expect(response.status).toBe(200);
    expect(server.seen.map((r) => `${r.path} ${r.auth}`)).toEqual([
      '/api/v1/residents Bearer G1',
      '/api/v1/auth/refresh null',
      '/api/v1/residents Bearer G2',
    ]);
  });
});
