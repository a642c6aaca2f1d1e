import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { createMemoryHistory, createRouter } from 'vue-router';
import { setupApi } from '@/api/client';
import LoginPage from '@/views/login/index.vue';
import { safeRedirect } from '@/views/login/redirect';

describe('login redirect', () => {
  it('goes back only to a path inside the console', () => {
    expect(safeRedirect('/service-desk?resident=r1')).toBe('/service-desk?resident=r1');
    expect(safeRedirect('/points')).toBe('/points');
    expect(safeRedirect('//evil.example/x')).toBeNull();
    expect(safeRedirect('/\\evil.example')).toBeNull();
    expect(safeRedirect('https://evil.example')).toBeNull();
    expect(safeRedirect('/login?redirect=/points')).toBeNull();
    expect(safeRedirect('/login')).toBeNull();
    expect(safeRedirect('/login-help')).toBe('/login-help');
    expect(safeRedirect(['/points'])).toBeNull();
    expect(safeRedirect(undefined)).toBeNull();
  });
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

async function mountLogin(query: Record<string, string>) {
  const pinia = createPinia();
  setupApi(pinia);
  const Blank = { template: '<p>page</p>' };
  const router = createRouter({
    history: createMemoryHistory('/console/'),
    routes: [
      { path: '/login', name: 'login', component: LoginPage },
      { path: '/service-desk', name: 'service-desk', component: Blank },
    ],
  });
  await router.push({ name: 'login', query });
  await router.isReady();
  const w = mount(LoginPage, { global: { plugins: [pinia, router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

describe('login page', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('signs in with the password and goes back to the page that asked', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const path = new URL(req.url).pathname;
        if (path === '/api/v1/auth/login') {
          bodies.push(await req.json());
          return json({ access_token: 'A', token_type: 'Bearer', expires_in: 900 });
        }
        if (path === '/api/v1/me') return json({ account_id: 'a', role: 'staff', site_id: 's', led_group_ids: [] });
        return json({ code: 'route_not_found', status: 404 }, 404);
      }),
    );
    const { w, router } = await mountLogin({ redirect: '/service-desk?resident=r1' });
    expect(w.text()).toContain('登录后回到刚才的页面');
    // Enter in a field submits the form: it has a native submit button.
    expect(w.find('form button[type="submit"]').exists()).toBe(true);
    await w.find('input[autocomplete="username"]').setValue('19901000003');
    await w.find('input[type="password"]').setValue('anju-demo-2026');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(bodies[0]).toMatchObject({ phone: '19901000003', password: 'anju-demo-2026' });
    expect(router.currentRoute.value.fullPath).toBe('/service-desk?resident=r1');
    w.unmount();
  });

  it('says in Chinese what the problem code means', async () => {
    const fetch = vi.fn(async () => json({ code: 'invalid_credentials', status: 401 }, 401));
    vi.stubGlobal('fetch', fetch);
    const { w } = await mountLogin({});
    expect(w.text()).not.toContain('登录后回到刚才的页面');
    await w.find('input[autocomplete="username"]').setValue('13800138000');
    await w.find('input[type="password"]').setValue('wrong');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[role="alert"]').text()).toBe('手机号或密码不正确。');
    w.unmount();
  });
});
