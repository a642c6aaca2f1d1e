import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import WechatTemplateDialog from '@/views/admin/WechatTemplateDialog.vue';
import WechatTemplatesTab from '@/views/admin/WechatTemplatesTab.vue';
import {
  fieldsText,
  hasProblems,
  serverTemplateProblems,
  templateForm,
  templateProblems,
  templateRequest,
} from '@/views/admin/wechatTemplates';
import type { WeChatTemplate } from '@/api/types';
import { session } from './support/site-api';
import { button, json, recordFetch, settle, typeInto } from './support/wechat-api';

const SAVED: WeChatTemplate = {
  kind: 'interview',
  template_id: 'Yc0mK5xCkV3mR4dQ7nB2pA9sL1wE6tH8uJ0iO3gF5zX',
  fields: { thing1: 'subject', time2: 'time' },
  updated_at: '2026-12-01T08:00:00Z',
};

describe('WeChat templates: rules', () => {
  it('builds the fields object from the rows', () => {
    const f = templateForm(null);
    expect(f).toEqual({ templateId: '', rows: [{ key: '', fact: '' }] });
    f.templateId = ' abc-_1 ';
    f.rows = [
      { key: ' thing1 ', fact: 'subject' },
      { key: 'time2', fact: 'time' },
      { key: 'phrase3', fact: 'status' },
    ];
    expect(templateRequest(f)).toEqual({
      template_id: 'abc-_1',
      fields: { thing1: 'subject', time2: 'time', phrase3: 'status' },
    });
    expect(hasProblems(templateProblems(f))).toBe(false);
    expect(templateForm(SAVED).rows).toEqual([
      { key: 'thing1', fact: 'subject' },
      { key: 'time2', fact: 'time' },
    ]);
    expect(fieldsText(SAVED.fields)).toBe('thing1：活动/岗位名称；time2：时间');
    expect(fieldsText({})).toBe('—');
  });

  it('checks the template id, the keys and the number of rows as the server does', () => {
    const p = templateProblems({
      templateId: 'a b',
      rows: [
        { key: 'thing1', fact: 'subject' },
        { key: 'thing1', fact: 'note' },
        { key: 'thing_1', fact: 'place' },
        { key: '', fact: '' },
      ],
    });
    expect(p.templateId).toBeTruthy();
    expect(Object.keys(p.keys)).toEqual(['1', '2', '3']);
    expect(Object.keys(p.facts)).toEqual(['3']);
    expect(templateProblems({ templateId: 'x', rows: [] }).rows).toBe('模板字段应为 1–10 个');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `thing${i + 1}`, fact: 'note' as const }));
    expect(templateProblems({ templateId: 'x', rows: eleven }).rows).toBeTruthy();
    expect(hasProblems(templateProblems({ templateId: 'x', rows: eleven.slice(0, 10) }))).toBe(false);
  });

  it('puts the server’s field problems on the row with that key', () => {
    const f = { templateId: 'x', rows: [{ key: 'thing1', fact: 'subject' as const }, { key: 'time2', fact: 'time' as const }] };
    const p = serverTemplateProblems(f, [
      { field: 'template_id', message: '格式不对' },
      { field: 'fields.time2', message: '字段名不对' },
    ]);
    expect(p).toEqual({ templateId: '格式不对', keys: { 1: '字段名不对' }, facts: {} });
  });
});

describe('WeChat templates: tab and editor', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('lists every kind with what is saved', async () => {
    const calls = recordFetch(() => json([SAVED]));
    const w = mount(WechatTemplatesTab, { global: { plugins: [session('site_admin')] }, attachTo: document.body });
    await flushPromises();
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/api/v1/sites/s1/wechat-templates' });
    const text = w.text();
    for (const k of ['候补成功通知', '求职进展通知', '面试通知', '积分结果通知', '活动提醒']) expect(text).toContain(k);
    expect(text).toContain(SAVED.template_id);
    expect(text).toContain('thing1：活动/岗位名称；time2：时间');
    expect(text).toContain('未设置');
    expect(text).toContain('模板在微信小程序后台“订阅消息”中选用，字段名照后台填写（如 thing1、time2）。');
    w.unmount();
  });

  it('sends the rows as the fields object, and shows the server’s field error under the input', async () => {
    let puts = 0;
    const calls = recordFetch((c) => {
      if (c.method !== 'PUT') return json([]);
      puts += 1;
      if (puts === 1) {
        return json(
          {
            code: 'validation_failed',
            status: 422,
            errors: { 'fields.time2': 'must be a template field key such as thing1, time2 or phrase3' },
            fields: { 'fields.time2': { code: 'format', message: '字段名格式不对' } },
          },
          422,
        );
      }
      return json({ ...SAVED, fields: c.body && (c.body as { fields: object }).fields, updated_at: '2026-12-02T00:00:00Z' });
    });
    const onSaved = vi.fn();
    const w = mount(WechatTemplateDialog, {
      props: { modelValue: true, siteId: 's1', kind: 'interview', template: SAVED, onSaved },
      global: { plugins: [session('site_admin')] },
      attachTo: document.body,
    });
    await flushPromises();
    const dialog = document.body.querySelector('.el-dialog') as HTMLElement;
    expect(dialog.textContent).toContain('设置面试通知');
    expect((dialog.querySelector('#template-id') as HTMLInputElement).value).toBe(SAVED.template_id);
    expect(dialog.querySelectorAll('[data-test="field-row"]')).toHaveLength(2);

    // Add a row: key and content.
    button('添加字段')?.click();
    await flushPromises();
    expect(dialog.querySelectorAll('[data-test="field-row"]')).toHaveLength(3);
    typeInto(dialog.querySelector('input[aria-label="第3行模板字段"]') as HTMLInputElement, 'thing3');
    await flushPromises();
    button('保存')?.click();
    await settle();
    expect(dialog.textContent).toContain('请选择内容');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    // Remove it again: the two saved rows are sent.
    (dialog.querySelector('button[aria-label="删除第3行"]') as HTMLButtonElement).click();
    await flushPromises();
    button('保存')?.click();
    await settle();
    expect(calls.at(-1)).toEqual({
      method: 'PUT',
      path: '/api/v1/sites/s1/wechat-templates/interview',
      body: { template_id: SAVED.template_id, fields: { thing1: 'subject', time2: 'time' } },
    });
    const row2 = dialog.querySelectorAll('[data-test="field-row"]')[1] as HTMLElement;
    expect(row2.querySelector('.el-form-item__error')?.textContent).toContain('字段名格式不对');
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('填写的内容有误，请按提示修改。');
    expect(onSaved).not.toHaveBeenCalled();

    // A different key is saved.
    typeInto(dialog.querySelector('input[aria-label="第2行模板字段"]') as HTMLInputElement, 'date2');
    await flushPromises();
    button('保存')?.click();
    await settle();
    expect(calls.at(-1)?.body).toEqual({ template_id: SAVED.template_id, fields: { thing1: 'subject', date2: 'time' } });
    expect(onSaved).toHaveBeenCalledTimes(1);
    expect(document.body.textContent).toContain('已保存');
    w.unmount();
  });
});
