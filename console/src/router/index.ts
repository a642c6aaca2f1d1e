import { createRouter, createWebHistory, type Router, type RouteRecordRaw } from 'vue-router';
import type { Pinia } from 'pinia';
import type { Role } from '@/api/types';
import { fetchMe, onSessionLost, useApi } from '@/api/client';
import { useSessionStore } from '@/stores/session';
import { AREAS, canAccess, menuFor } from './areas';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean;
    /** Roles allowed; absent = any signed-in account. */
    roles?: readonly Role[];
    /** Page title (Chinese). */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/login/index.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    path: '/',
    component: () => import('@/layout/ConsoleLayout.vue'),
    children: [
      // Resolved by the guard to the first area the role may use.
      { path: '', name: 'home', component: { render: () => null } },
      ...AREAS.map(
        (a): RouteRecordRaw => ({
          path: a.path,
          name: a.name,
          component: a.view,
          meta: { roles: a.roles, title: a.title },
        }),
      ),
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/forbidden/index.vue'),
        meta: { title: '无权访问' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/not-found/index.vue'),
    meta: { public: true, title: '页面不存在' },
  },
];

/** Restores a session after a reload: the refresh cookie gives a new access token, then /me. */
async function restoreSession(pinia: Pinia): Promise<void> {
  const store = useSessionStore(pinia);
  if (!store.isAuthenticated) {
    const token = await useApi().session.refresh();
    if (!token) return;
  }
  if (!store.me) {
    try {
      store.setMe(await fetchMe());
    } catch {
      store.clear();
    }
  }
}

export function setupRouter(pinia: Pinia): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes,
  });

  // The one permission guard.
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const store = useSessionStore(pinia);
    if (!store.isAuthenticated || !store.me) await restoreSession(pinia);
    if (!store.isAuthenticated || !store.me) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    }
    if (to.name === 'home') {
      const first = menuFor(store.role)[0];
      return first ? { name: first.name } : { name: 'forbidden' };
    }
    return canAccess(store.role, to.meta.roles) ? true : { name: 'forbidden' };
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 安居社区服务中心` : '安居社区服务中心';
  });

  // A refresh failed mid-session: back to the login page, then back here after signing in.
  onSessionLost(() => {
    const here = router.currentRoute.value;
    if (!here.meta.public) {
      void router.replace({ name: 'login', query: { redirect: here.fullPath } });
    }
  });

  return router;
}
