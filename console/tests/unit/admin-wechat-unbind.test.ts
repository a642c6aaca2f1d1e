import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import UnbindWechatDialog from '@/views/admin/UnbindWechatDialog.vue';
import AccountsTab from '@/views/admin/AccountsTab.vue';
import { mayUnbindWechat, unbindReasonProblem, unbindRequest } from '@/views/admin/wechatUnbind';
import type { AccountItem, Role } from '@/api/types';
import { session } from './support/site-api';
import { button, json, recordFetch, settle, typeInto } from './support/wechat-api';

function account(id: string, role: Role): AccountItem {
  return { id, phone: '199****1708', role, site_id: 's1', disabled: false, created_at: '2026-12-01T00:00:00Z' };
}

describe('unbind WeChat: rules', () => {
  it('is offered for resident and group leader accounts only, with a reason', () => {
    const roles: Role[] = ['resident', 'group_leader', 'staff', 'site_admin', 'platform_admin', 'employer'];
    expect(roles.map((r) => mayUnbindWechat(account('a', r)))).toEqual([true, true, false, false, false, false]);
    expect(unbindReasonProblem('  ')).toBe('请填写原因');
    expect(unbindReasonProblem('字'.repeat(501))).toBe('原因最多 500 个字');
    expect(unbindReasonProblem(' 手机丢失 ')).toBe('');
    expect(unbindRequest(' 手机丢失 ')).toEqual({ reason: '手机丢失' });
  });
});

describe('unbind WeChat: dialog', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  function open(answer: () => Response) {
    const calls = recordFetch(answer);
    const onUnbound = vi.fn();
    const w = mount(UnbindWechatDialog, {
      props: { modelValue: false, account: account('acc1', 'resident'), onUnbound },
      global: { plugins: [session('site_admin')] },
      attachTo: document.body,
    });
    return { calls, onUnbound, w };
  }

  it('requires a reason, then posts it and says 已解绑', async () => {
    const { calls, onUnbound, w } = open(() => new Response(null, { status: 204 }));
    await w.setProps({ modelValue: true });
    await flushPromises();
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('解绑微信');
    const input = dialog.querySelector('#unbind-reason') as HTMLInputElement;
    expect(input.placeholder).toBe('如：手机丢失、换了微信号');

    button('确定解绑')?.click();
    await settle();
    expect(dialog.textContent).toContain('请填写原因');
    expect(calls).toHaveLength(0);

    typeInto(input, ' 手机丢失 ');
    await flushPromises();
    button('确定解绑')?.click();
    await settle();
    expect(calls).toEqual([{ method: 'POST', path: '/api/v1/accounts/acc1/wechat/unbind', body: { reason: '手机丢失' } }]);
    expect(document.body.textContent).toContain('已解绑');
    expect(onUnbound).toHaveBeenCalledTimes(1);
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false]);
    w.unmount();
  });

  it('says the account has no WeChat on a 404', async () => {
    const { w, onUnbound } = open(() => json({ code: 'not_found', status: 404, detail: 'no such resource' }, 404));
    await w.setProps({ modelValue: true });
    await flushPromises();
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    typeInto(dialog.querySelector('#unbind-reason') as HTMLInputElement, '换了微信号');
    await flushPromises();
    button('确定解绑')?.click();
    await settle();
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('该账号没有绑定微信');
    expect(onUnbound).not.toHaveBeenCalled();
    w.unmount();
  });
});

describe('unbind WeChat: accounts list', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('shows 解绑微信 on resident and group leader rows only', async () => {
    recordFetch((c) =>
      c.path === '/api/v1/accounts'
        ? json({ items: [account('r', 'resident'), account('g', 'group_leader'), account('s', 'staff')], next_cursor: null })
        : json({ items: [], next_cursor: null }),
    );
    const w = mount(AccountsTab, { global: { plugins: [session('site_admin')] }, attachTo: document.body });
    await flushPromises();
    const unbind = w.findAll('button').filter((b) => b.text() === '解绑微信');
    expect(unbind).toHaveLength(2);
    w.unmount();
  });
});
