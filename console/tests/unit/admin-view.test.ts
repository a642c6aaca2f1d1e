import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import Admin from '@/views/admin/index.vue';
import { session, stubApi } from './support/site-api';

describe('admin view', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('shows the partner tab to platform administrators only', async () => {
    stubApi([]);
    const site = mount(Admin, { global: { plugins: [session('site_admin')] }, attachTo: document.body });
    await flushPromises();
    expect(site.findAll('[role="tab"]').map((t) => t.text())).toEqual(['账号', '审计日志', '打印设置', '微信订阅消息']);
    site.unmount();

    const platform = mount(Admin, { global: { plugins: [session('platform_admin')] }, attachTo: document.body });
    await flushPromises();
    expect(platform.findAll('[role="tab"]').map((t) => t.text())).toEqual(['账号', '审计日志', '打印设置', '微信订阅消息', '合作系统']);
    platform.unmount();
  });
});
