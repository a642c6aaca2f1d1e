// Session handling for a browser-based OAuth 2.0 client:
// - the access token lives only in memory and goes out as `Authorization: Bearer`;
// - the refresh token is an HttpOnly cookie on /api/v1/auth that scripts never see;
// - on a 401 the client refreshes once (one refresh for all the requests that failed together)
//   and retries each request once; if the refresh fails, the session is over.
import type { TokenResponse } from './types';

export const AUTH_PREFIX = '/api/v1/auth/';
export const REFRESH_PATH = '/api/v1/auth/refresh';
export const LOGOUT_PATH = '/api/v1/auth/logout';

type FetchFn = (input: Request) => Promise<Response>;

export interface TokenHolder {
  /** The current access token, if any. */
  get(): string | null;
  /** Keeps a fresh pair (only its access token is kept). */
  set(tokens: TokenResponse): void;
  /** Forgets the access token. */
  clear(): void;
}

export interface SessionOptions {
  baseUrl: string;
  tokens: TokenHolder;
  /** Defaults to the global fetch at call time (so tests can stub it). */
  fetch?: FetchFn;
  /** Called once when a refresh fails: the user must log in again. */
  onSessionLost?: () => void;
}

export interface Session {
  /** The fetch that openapi-fetch uses: bearer token, refresh once on 401, retry once. */
  fetch: FetchFn;
  /**
   * Exchanges the refresh cookie for a new access token; concurrent callers share one request.
   * Resolves to the new access token, or null when there is no valid session.
   */
  refresh(): Promise<string | null>;
  /** Ends the session on the server (revokes the refresh cookie) and forgets the token. */
  logout(): Promise<void>;
}

function isAuthEndpoint(url: string): boolean {
  try {
    return new URL(url).pathname.startsWith(AUTH_PREFIX);
  } catch {
    return url.startsWith(AUTH_PREFIX);
  }
}

function withBearer(request: Request, token: string | null): Request {
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  else request.headers.delete('Authorization');
  return request;
}

export function createSession(opts: SessionOptions): Session {
  const send: FetchFn = (req) => (opts.fetch ?? ((r: Request) => globalThis.fetch(r)))(req);
  const base = opts.baseUrl.replace(/\/+$/, '');
  let inFlight: Promise<string | null> | null = null;

  // `{}` with the cookie: the server reads the refresh token from `anju_refresh` and answers the
  // next one as the cookie again (never in the body).
  async function doRefresh(): Promise<string | null> {
    const hadSession = opts.tokens.get() !== null;
    try {
      const res = await send(
        new Request(base + REFRESH_PATH, {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: '{}',
        }),
      );
      if (!res.ok) {
        opts.tokens.clear();
        // Only a session that existed can be lost (not a first visit without a cookie).
        if (hadSession) opts.onSessionLost?.();
        return null;
      }
      const pair = (await res.json()) as TokenResponse;
      opts.tokens.set(pair);
      return pair.access_token;
    } catch {
      // Network failure: keep no stale token, but do not declare the session lost either.
      return null;
    }
  }

  function refresh(): Promise<string | null> {
    if (!inFlight) {
      inFlight = doRefresh().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  }

  async function authFetch(request: Request): Promise<Response> {
    if (isAuthEndpoint(request.url)) return send(request);
    // Keep an unread copy for the retry: the first attempt consumes the body.
    const retry = request.clone();
    const tokenUsed = opts.tokens.get();
    const first = await send(withBearer(request, tokenUsed));
    if (first.status !== 401) return first;

    // Another request may already have refreshed while this one was in flight.
    const current = opts.tokens.get();
    const token = current && current !== tokenUsed ? current : await refresh();
    if (!token) return first;
    return send(withBearer(retry, token));
  }

  async function logout(): Promise<void> {
    try {
      await send(
        new Request(base + LOGOUT_PATH, {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        }),
      );
    } catch {
      // The token is forgotten below anyway; the cookie expires on its own.
    } finally {
      opts.tokens.clear();
    }
  }

  return { fetch: authFetch, refresh, logout };
}
