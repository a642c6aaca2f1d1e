import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import VoiceMarkControl from '@/views/registry/VoiceMarkControl.vue';
import {
  VOICE_CHOICES,
  mayMarkVoice,
  voiceChoice,
  voiceMarkBody,
  voiceMarkText,
} from '@/views/registry/voiceMark';
import { session } from './support/site-api';
import { json, recordFetch, settle } from './support/wechat-api';

describe('voice mark: rules', () => {
  it('offers 不需要 and the four reasons, and maps them to the body', () => {
    expect(VOICE_CHOICES.map((c) => c.label)).toEqual(['不需要', '老年人', '视力不好', '没有智能手机', '其他原因']);
    expect(voiceMarkBody('')).toEqual({ reason: null });
    expect(voiceMarkBody('low_vision')).toEqual({ reason: 'low_vision' });
    expect(voiceChoice({ reason: null })).toBe('');
    expect(voiceChoice({})).toBe('');
    expect(voiceChoice({ reason: 'other' })).toBe('other');
    expect(voiceMarkText('')).toBe('不打电话');
    expect(voiceMarkText('elderly')).toBe('打电话告知（老年人）');
    expect((['staff', 'site_admin', 'platform_admin', 'group_leader'] as const).map(mayMarkVoice)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('voice mark: control', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('shows the saved mark, sends the chosen reason, and clears it with 不需要', async () => {
    let saved: string | null = 'elderly';
    const calls = recordFetch((c) => {
      if (c.method === 'PUT') saved = (c.body as { reason: string | null }).reason;
      return json({ reason: saved });
    });
    const w = mount(VoiceMarkControl, {
      props: { residentId: 'r1' },
      global: { plugins: [session('staff')] },
      attachTo: document.body,
    });
    await flushPromises();
    expect(calls[0]).toEqual({ method: 'GET', path: '/api/v1/residents/r1/voice-mark', body: null });
    expect(w.text()).toContain('语音通知');
    expect(w.find('[data-test="voice-current"]').text()).toBe('现在：打电话告知（老年人）');
    expect((w.find('input[type="radio"][value="elderly"]').element as HTMLInputElement).checked).toBe(true);
    expect(w.text()).toContain('标记后，候补成功、面试通知、积分结果会同时打电话告知（每天最多3次，8:00–20:30）。');

    await w.find('input[type="radio"][value="no_smartphone"]').setValue(true);
    await settle();
    expect(calls[1]).toEqual({ method: 'PUT', path: '/api/v1/residents/r1/voice-mark', body: { reason: 'no_smartphone' } });
    expect(w.find('[data-test="voice-current"]').text()).toBe('现在：打电话告知（没有智能手机）');
    expect(document.body.textContent).toContain('已保存');

    await w.find('input[type="radio"][value=""]').setValue(true);
    await settle();
    expect(calls[2]).toEqual({ method: 'PUT', path: '/api/v1/residents/r1/voice-mark', body: { reason: null } });
    expect(w.find('[data-test="voice-current"]').text()).toBe('现在：不打电话');
    w.unmount();
  });

  it('goes back to the saved mark when the server refuses', async () => {
    recordFetch((c) =>
      c.method === 'PUT' ? json({ code: 'forbidden', status: 403 }, 403) : json({ reason: null }),
    );
    const w = mount(VoiceMarkControl, {
      props: { residentId: 'r1' },
      global: { plugins: [session('staff')] },
      attachTo: document.body,
    });
    await flushPromises();
    await w.find('input[type="radio"][value="other"]').setValue(true);
    await settle();
    expect(w.find('[role="alert"]').text()).toContain('您没有权限进行这个操作。');
    expect((w.find('input[type="radio"][value=""]').element as HTMLInputElement).checked).toBe(true);
    expect(w.find('[data-test="voice-current"]').text()).toBe('现在：不打电话');
    w.unmount();
  });
});
