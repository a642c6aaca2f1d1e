// The typed API client (openapi-fetch over the generated schema) with the session wired in.
import createClient, { type Client } from 'openapi-fetch';
import type { Pinia } from 'pinia';
import { createSession, type Session } from './auth-fetch';
import { unwrap } from './problems';
import type { CodeSent, Me, paths, TokenResponse } from './types';
import { useSessionStore } from '@/stores/session';

/** Same origin: the api binary serves both the console and /api/v1. */
function origin(): string {
  return globalThis.location?.origin ?? '';
}

export type ApiClient = Client<paths>;

export interface ConsoleApi {
  client: ApiClient;
  session: Session;
}

/**
 * Sent with every API call: the server writes field and import-row messages in the language the
 * request asks for, and the console is Simplified Chinese whatever the browser's language is.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = { 'Accept-Language': 'zh-CN' };

let current: ConsoleApi | null = null;
let lostHandler: () => void = () => {};

/** Creates the console's client; called once from main.ts after Pinia is installed. */
export function setupApi(pinia: Pinia): ConsoleApi {
  const store = useSessionStore(pinia);
  const session = createSession({
    baseUrl: origin(),
    tokens: {
      get: () => store.accessToken,
      set: (t) => store.setTokens(t),
      clear: () => store.clear(),
    },
    onSessionLost: () => lostHandler(),
  });
  const client = createClient<paths>({ baseUrl: origin(), fetch: session.fetch, headers: CONSOLE_HEADERS });
  current = { client, session };
  return current;
}

/** What to do when a refresh fails mid-session (the router sends the user to the login page). */
export function onSessionLost(handler: () => void): void {
  lostHandler = handler;
}

export function useApi(): ConsoleApi {
  if (!current) throw new Error('setupApi() has not been called');
  return current;
}

/** The client for screens: `api().GET('/api/v1/residents', ...)`. */
export function api(): ApiClient {
  return useApi().client;
}

// Logins ask for the refresh token as an HttpOnly cookie (`refresh_cookie`): the body carries the
// access token only, which the store keeps in memory.

export async function loginWithPassword(phone: string, password: string): Promise<TokenResponse> {
  return unwrap(
    api().POST('/api/v1/auth/login', { body: { phone, password, refresh_cookie: true }, credentials: 'include' }),
  );
}

export async function requestLoginCode(phone: string): Promise<CodeSent> {
  return unwrap(api().POST('/api/v1/auth/sms-codes', { body: { phone, purpose: 'login' } }));
}

export async function loginWithSmsCode(phone: string, code: string): Promise<TokenResponse> {
  return unwrap(
    api().POST('/api/v1/auth/sms-login', { body: { phone, code, refresh_cookie: true }, credentials: 'include' }),
  );
}

export async function fetchMe(): Promise<Me> {
  return unwrap(api().GET('/api/v1/me'));
}
