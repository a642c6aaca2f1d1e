// Claims filed at the service desk may name the call for claims (积分活动) they answer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { ElSelect } from 'element-plus';
import { setupApi } from '@/api/client';
import { ApiProblemError, translateProblem } from '@/api/problems';
import type { Campaign, Resident } from '@/api/types';
import { useSessionStore } from '@/stores/session';
import ActDialog from '@/views/service-desk/ActDialog.vue';
import {
  CAMPAIGN_PAGE,
  actError,
  campaignLabel,
  campaignOptions,
  campaignQuery,
  claimBody,
  emptyActForm,
  keptCampaign,
} from '@/views/service-desk/acting';

const campaign = (id: string, category: Campaign['category'], site_id = 's'): Campaign => ({
  id,
  site_id,
  category,
  title: `活动${id}`,
  rules: '',
  period_start: '2026-03-01',
  period_end: '2026-03-31',
});

const CAMPAIGNS: Campaign[] = [
  campaign('c1', 'civility'),
  campaign('c2', 'public_welfare'),
  campaign('c3', 'civility'),
  campaign('c4', 'civility', 'other'),
];

describe('claims at the desk: the call for claims (积分活动)', () => {
  it('sends campaign_id only when a call is picked', () => {
    const form = { ...emptyActForm(), category: 'civility' as const, description: ' 扫雪 ' };
    expect(emptyActForm().campaignId).toBe('');
    expect(claimBody('r1', form)).toEqual({ resident_id: 'r1', category: 'civility', description: '扫雪' });
    expect(claimBody('r1', form)).not.toHaveProperty('campaign_id');
    expect(claimBody('r1', { ...form, campaignId: 'c1', reason: '电话委托' })).toEqual({
      resident_id: 'r1',
      category: 'civility',
      campaign_id: 'c1',
      description: '扫雪',
      reason: '电话委托',
    });
  });

  it('offers only calls of the picked category at the resident’s site, none before a category', () => {
    expect(campaignOptions(CAMPAIGNS, '', 's')).toEqual([]);
    expect(campaignOptions(CAMPAIGNS, 'civility', 's').map((c) => c.id)).toEqual(['c1', 'c3']);
    expect(campaignOptions(CAMPAIGNS, 'public_welfare', 's').map((c) => c.id)).toEqual(['c2']);
    expect(campaignOptions(CAMPAIGNS, 'bravery', 's')).toEqual([]);
    expect(campaignOptions(CAMPAIGNS, 'civility', 'other').map((c) => c.id)).toEqual(['c4']);
  });

  it('keeps a picked call while it fits the category, and clears it when not', () => {
    expect(keptCampaign('c1', CAMPAIGNS, 'civility', 's')).toBe('c1');
    expect(keptCampaign('c1', CAMPAIGNS, 'public_welfare', 's')).toBe('');
    expect(keptCampaign('c1', CAMPAIGNS, '', 's')).toBe('');
    expect(keptCampaign('c4', CAMPAIGNS, 'civility', 's')).toBe('');
    expect(keptCampaign('gone', CAMPAIGNS, 'civility', 's')).toBe('');
    expect(keptCampaign('', CAMPAIGNS, 'civility', 's')).toBe('');
  });

  it('labels a call with its period, and asks for the resident’s site as platform administrator', () => {
    expect(campaignLabel(CAMPAIGNS[0]!)).toBe('活动c1（2026-03-01 至 2026-03-31）');
    expect(campaignQuery('staff', 's')).toEqual({ limit: CAMPAIGN_PAGE });
    expect(campaignQuery('platform_admin', 's')).toEqual({ limit: 50, site_id: 's' });
  });

  it('says in Chinese when the server refuses the call', () => {
    const err = new ApiProblemError(
      translateProblem({ code: 'validation_failed', status: 422, errors: { campaign_id: 'category mismatch' } }),
    );
    expect(actError('claim', err)).toContain('积分活动');
  });
});

const RESIDENT: Resident = {
  id: 'r1',
  site_id: 's',
  group_id: 'g1',
  building_id: 'b1',
  household_id: 'h1',
  name: '冯艳',
  gender: 'female',
  age: 54,
  id_card_number: '4****************1',
  disability: false,
  party_member: false,
  skills: [],
  employment_status: 'unemployed',
  job_seeking: false,
  job_preferences: {},
  created_at: '',
  updated_at: '',
};

const ok = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('claims at the desk: the dialog', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('loads the calls, filters them by category, clears a call that no longer fits, and sends it', async () => {
    const gets: string[] = [];
    const posts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url);
        if (req.method === 'GET' && url.pathname === '/api/v1/points/categories') {
          return ok([
            { category: 'civility', title: '文明新风', min_points: 1, max_points: 5, customised: false },
            { category: 'public_welfare', title: '公益服务', min_points: 1, max_points: 10, customised: false },
          ]);
        }
        if (req.method === 'GET' && url.pathname === '/api/v1/points/campaigns') {
          gets.push(url.search);
          return ok({ items: CAMPAIGNS, next_cursor: null });
        }
        if (req.method === 'POST' && url.pathname === '/api/v1/points/claims') {
          posts.push(await req.json());
          return ok(
            {
              id: 'k1',
              household_id: 'h1',
              resident_id: 'r1',
              campaign_id: 'c3',
              category: 'civility',
              description: '扫雪',
              status: 'pending',
              created_at: '',
            },
            201,
          );
        }
        return ok({ code: 'route_not_found', status: 404 }, 404);
      }),
    );
    const pinia = createPinia();
    setupApi(pinia);
    const store = useSessionStore(pinia);
    store.setTokens({ access_token: 'T', token_type: 'Bearer', expires_in: 900 });
    store.setMe({ account_id: 'a', role: 'platform_admin', site_id: null, led_group_ids: [] });

    const w = mount(ActDialog, {
      props: { modelValue: 'claim', resident: RESIDENT, balance: 100 },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    await flushPromises();
    expect(gets).toHaveLength(1);
    expect(new URLSearchParams(gets[0]).get('limit')).toBe('50');
    expect(new URLSearchParams(gets[0]).get('site_id')).toBe('s');

    const selects = w.findAllComponents(ElSelect);
    const category = selects.find((s) => s.attributes('aria-label') === '积分类别' || s.props('ariaLabel') === '积分类别');
    const call = selects.find((s) => s.attributes('aria-label') === '积分活动' || s.props('ariaLabel') === '积分活动');
    expect(category).toBeDefined();
    expect(call).toBeDefined();
    // The call comes after the category, and waits for it.
    expect(selects.indexOf(call!)).toBeGreaterThan(selects.indexOf(category!));
    expect(call!.props('disabled')).toBe(true);
    expect(call!.props('clearable')).toBe(true);
    expect(call!.props('placeholder')).toBe('不关联积分活动');

    category!.vm.$emit('update:modelValue', 'civility');
    await flushPromises();
    expect(call!.props('disabled')).toBe(false);
    const labels = () => call!.findAllComponents({ name: 'ElOption' }).map((o) => o.props('label'));
    expect(labels()).toEqual(['活动c1（2026-03-01 至 2026-03-31）', '活动c3（2026-03-01 至 2026-03-31）']);

    call!.vm.$emit('update:modelValue', 'c1');
    await flushPromises();
    expect(call!.props('modelValue')).toBe('c1');
    // Another category: the call no longer fits and is cleared.
    category!.vm.$emit('update:modelValue', 'public_welfare');
    await flushPromises();
    expect(call!.props('modelValue')).toBe('');
    expect(labels()).toEqual(['活动c2（2026-03-01 至 2026-03-31）']);

    category!.vm.$emit('update:modelValue', 'civility');
    await flushPromises();
    call!.vm.$emit('update:modelValue', 'c3');
    await flushPromises();
    const box = document.body.querySelector('textarea[aria-label="做了什么事"]') as HTMLTextAreaElement;
    box.value = '扫雪';
    box.dispatchEvent(new Event('input'));
    await flushPromises();
    [...document.body.querySelectorAll('button')].find((b) => b.textContent?.trim() === '确认代为申报积分')?.click();
    await flushPromises();
    expect(posts).toEqual([{ resident_id: 'r1', category: 'civility', campaign_id: 'c3', description: '扫雪' }]);
    w.unmount();
  });
});
