import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import Registry from '@/views/registry/index.vue';
import { session, stubApi } from './support/site-api';

function buttons(w: ReturnType<typeof mount>): string[] {
  return w.findAll('button').map((b) => b.text()).filter(Boolean);
}

describe('registry view', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('reads the whole structure through the cursors and shows it as a tree', async () => {
    const calls: URL[] = [];
    stubApi(calls);
    const w = mount(Registry, { global: { plugins: [session('staff')] }, attachTo: document.body });
    await flushPromises();
    await flushPromises();

    const groupCalls = calls.filter((u) => u.pathname === '/api/v1/groups');
    expect(groupCalls.map((u) => u.searchParams.get('cursor'))).toEqual([null, 'G2']);
    expect(groupCalls.every((u) => u.searchParams.get('limit') === '100')).toBe(true);
    const tree = w.find('[role="tree"]');
    expect(tree.attributes('aria-label')).toBe('档案结构');
    expect(tree.text()).toContain('第一居委会');
    expect(tree.text()).toContain('第一居委会第1组');
    expect(tree.text()).toContain('第一居委会第2组');
    expect(buttons(w)).toEqual(expect.arrayContaining(['导入居民', '下载导入模板', '新建居委会', '刷新']));
    w.unmount();
  });

  it('hides creating and importing from group leaders', async () => {
    stubApi([]);
    const w = mount(Registry, { global: { plugins: [session('group_leader')] }, attachTo: document.body });
    await flushPromises();
    await flushPromises();
    const names = buttons(w);
    expect(names).toContain('刷新');
    for (const hidden of ['导入居民', '下载导入模板', '新建居委会']) expect(names).not.toContain(hidden);
    w.unmount();
  });
});
