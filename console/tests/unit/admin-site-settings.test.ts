import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import SiteSettingsTab from '@/views/admin/SiteSettingsTab.vue';
import { maySaveSettings, settingsProblems, settingsRequest } from '@/views/admin/siteSettings';
import type { Role } from '@/api/types';
import { session } from './support/site-api';

const SAVED = { community_name: '兴贤里社区', supervision_phone: '', seal_text: '兴贤里社区', updated_at: null };

describe('site settings: rules', () => {
  it('checks the fields as the server does', () => {
    expect(settingsProblems({ community_name: ' 兴贤里社区 ', supervision_phone: '', seal_text: '公章' })).toEqual({});
    expect(settingsProblems({ community_name: '兴贤里社区', supervision_phone: '0398-7123456', seal_text: '公章' })).toEqual({});
    expect(settingsProblems({ community_name: '兴贤里社区', supervision_phone: '12345', seal_text: '公章' })).toEqual({});
    const p = settingsProblems({ community_name: '  ', supervision_phone: '--- --', seal_text: '章'.repeat(51) });
    expect(Object.keys(p).sort()).toEqual(['community_name', 'seal_text', 'supervision_phone']);
    expect(settingsProblems({ community_name: 'x', supervision_phone: '0398-71234a', seal_text: 'y' }).supervision_phone).toBeTruthy();
    expect(settingsRequest({ community_name: ' a ', supervision_phone: ' 12345 ', seal_text: ' b ' })).toEqual({
      community_name: 'a',
      supervision_phone: '12345',
      seal_text: 'b',
    });
  });

  it('lets administrators save, and no one else', () => {
    const roles: Role[] = ['site_admin', 'platform_admin', 'staff', 'group_leader'];
    expect(roles.map(maySaveSettings)).toEqual([true, true, false, false]);
  });
});

describe('site settings: tab', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  function stub(put: (body: unknown) => Response): { method: string; path: string; body: unknown; lang: string | null }[] {
    const calls: { method: string; path: string; body: unknown; lang: string | null }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const body = req.method === 'PUT' ? await req.json() : null;
        calls.push({ method: req.method, path: new URL(req.url).pathname, body, lang: req.headers.get('Accept-Language') });
        if (req.method === 'PUT') return put(body);
        return new Response(JSON.stringify(SAVED), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    return calls;
  }

  it('loads the settings, saves them, and shows the server’s field messages under the inputs', async () => {
    const calls = stub(
      () =>
        new Response(
          JSON.stringify({
            code: 'validation_failed',
            status: 422,
            errors: { supervision_phone: 'must be a phone number' },
            fields: { supervision_phone: { code: 'format', message: '监督电话格式不对' } },
          }),
          { status: 422, headers: { 'Content-Type': 'application/problem+json' } },
        ),
    );
    const w = mount(SiteSettingsTab, { global: { plugins: [session('site_admin')] }, attachTo: document.body });
    await flushPromises();
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/api/v1/sites/s1/settings', lang: 'zh-CN' });
    expect(w.text()).toContain('这些内容印在积分公示表、兑换凭证和家庭积分卡上。');
    expect((w.find('#settings-community').element as HTMLInputElement).value).toBe('兴贤里社区');

    await w.find('#settings-phone').setValue('12345');
    await w.find('form').trigger('submit');
    await flushPromises();
    await new Promise((r) => setTimeout(r, 200));
    expect(calls[1]).toMatchObject({
      method: 'PUT',
      path: '/api/v1/sites/s1/settings',
      body: { community_name: '兴贤里社区', supervision_phone: '12345', seal_text: '兴贤里社区' },
    });
    expect(w.text()).toContain('监督电话格式不对');
    w.unmount();
  });

  it('is read-only for staff', async () => {
    const calls = stub(() => new Response(null, { status: 500 }));
    const w = mount(SiteSettingsTab, { global: { plugins: [session('staff')] }, attachTo: document.body });
    await flushPromises();
    expect(w.text()).toContain('只有安置点管理员可以修改');
    expect(w.findAll('button').map((b) => b.text())).not.toContain('保存');
    expect((w.find('#settings-community').element as HTMLInputElement).disabled).toBe(true);
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    w.unmount();
  });
});
