// The session: the only global state of the console. The access token lives here, in memory only
// (never in localStorage or a cookie readable by scripts); a reload restores it through the
// refresh cookie.
import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import type { Me, Role, TokenResponse } from '@/api/types';

export const useSessionStore = defineStore('session', () => {
  const accessToken = ref<string | null>(null);
  /** Epoch milliseconds at which the access token expires. */
  const expiresAt = ref<number | null>(null);
  const me = ref<Me | null>(null);

  /** The site a platform administrator picked in the header (others work in their own site). */
  const pickedSiteId = ref<string | null>(null);

  const isAuthenticated = computed(() => accessToken.value !== null);
  const role = computed<Role | null>(() => me.value?.role ?? null);
  /** The site the screens work in: the account's own, or the one a platform admin picked. */
  const siteId = computed<string | null>(() => me.value?.site_id ?? pickedSiteId.value);

  function pickSite(id: string | null): void {
    pickedSiteId.value = id;
  }

  function setTokens(tokens: TokenResponse): void {
    // The pair's refresh_token is deliberately dropped: the server keeps it in an HttpOnly cookie.
    accessToken.value = tokens.access_token;
    expiresAt.value = Date.now() + tokens.expires_in * 1000;
  }

  function setMe(value: Me): void {
    me.value = value;
  }

  function clear(): void {
    accessToken.value = null;
    expiresAt.value = null;
    me.value = null;
    pickedSiteId.value = null;
  }

  return {
    accessToken,
    expiresAt,
    me,
    isAuthenticated,
    role,
    siteId,
    setTokens,
    setMe,
    pickSite,
    clear,
  };
});
