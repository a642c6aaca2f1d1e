import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { setupApi } from '@/api/client';
import type { Claim, Objection } from '@/api/types';
import { useSessionStore } from '@/stores/session';
import {
  CAMPAIGN_PHASE_LABELS,
  campaignPhase,
  claimsOfCampaign,
  localDay,
  periodText,
} from '@/views/points/campaigns';
import {
  OBJECTION_FILTERS,
  checkDecisionReason,
  claimResident,
  decisionBody,
  isObjectionStatus,
  mayDecide,
  objectionTag,
  shortText,
} from '@/views/points/objections';
import ObjectionsTab from '@/views/points/ObjectionsTab.vue';

describe('objections queue logic', () => {
  it('filters by the three statuses, the queue first', () => {
    expect(OBJECTION_FILTERS.map((f) => f.title)).toEqual(['待处理', '已支持', '已驳回']);
    expect(OBJECTION_FILTERS[0]?.status).toBe('pending');
    expect(isObjectionStatus('upheld')).toBe(true);
    expect(isObjectionStatus('weird')).toBe(false);
  });

  it('offers a decision only while pending', () => {
    expect(mayDecide({ status: 'pending' })).toBe(true);
    expect(mayDecide({ status: 'upheld' })).toBe(false);
    expect(mayDecide({ status: 'dismissed' })).toBe(false);
    expect(objectionTag('pending')).toBe('warning');
    expect(objectionTag('upheld')).toBe('success');
    expect(objectionTag('dismissed')).toBe('info');
  });

  it('sends a typed reason trimmed, and none when left empty', () => {
    expect(decisionBody('  照片与事实不符 ')).toEqual({ reason: '照片与事实不符' });
    expect(decisionBody('   ')).toEqual({});
    expect(decisionBody(null)).toEqual({});
    expect(checkDecisionReason('')).toBeNull();
    expect(checkDecisionReason('理'.repeat(500))).toBeNull();
    expect(checkDecisionReason('理'.repeat(501))).toBe('理由最多 500 个字。');
  });

  it('names the resident from the claim, else the fallback, else a dash', () => {
    expect(claimResident({ resident_name: '冯艳' }, '别名')).toBe('冯艳');
    expect(claimResident({ resident_name: null }, '高涛')).toBe('高涛');
    expect(claimResident({}, ' ')).toBe('—');
    expect(claimResident(null)).toBe('—');
    expect(shortText('清扫楼道', 10)).toBe('清扫楼道');
    expect(shortText('一二三四五六', 3)).toBe('一二三…');
  });
});

describe('campaign list logic', () => {
  const c = { period_start: '2026-12-01', period_end: '2026-12-31' };
  it('shows the period and whether claims are taken today', () => {
    expect(periodText(c)).toBe('2026-12-01 至 2026-12-31');
    expect(periodText({ period_start: '2026-12-05', period_end: '2026-12-05' })).toBe('2026-12-05');
    expect(campaignPhase(c, '2026-11-30')).toBe('upcoming');
    expect(campaignPhase(c, '2026-12-01')).toBe('open');
    expect(campaignPhase(c, '2026-12-31')).toBe('open');
    expect(campaignPhase(c, '2027-01-01')).toBe('ended');
    expect(CAMPAIGN_PHASE_LABELS.open).toBe('申报中');
    expect(localDay(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });

  it('keeps the claims that answer one call', () => {
    const claims = [
      { id: '1', campaign_id: 'k1' },
      { id: '2', campaign_id: null },
      { id: '3', campaign_id: 'k2' },
      { id: '4', campaign_id: 'k1' },
    ];
    expect(claimsOfCampaign(claims, 'k1').map((x) => x.id)).toEqual(['1', '4']);
    expect(claimsOfCampaign(claims, 'none')).toEqual([]);
  });
});

const CLAIM: Claim = {
  id: 'c1',
  household_id: 'h1',
  resident_id: 'r1',
  resident_name: '冯艳',
  category: 'environment',
  description: '清扫 3 号楼楼道',
  status: 'publicized',
  points: 4,
  on_behalf: false,
  created_at: '2026-12-03T01:00:00Z',
};
const OBJECTION: Objection = {
  id: 'o1',
  claim_id: 'c1',
  reason: '那天楼道没有人清扫',
  status: 'pending',
  created_at: '2026-12-04T01:00:00Z',
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('objections tab', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('lists pending objections with the claim’s resident, and asks the list for the chosen status', async () => {
    const queries: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url);
        if (req.method === 'GET' && url.pathname === '/api/v1/points/objections') {
          queries.push(url.searchParams.get('status') ?? '');
          return json({ items: url.searchParams.get('status') === 'pending' ? [OBJECTION] : [], next_cursor: null });
        }
        if (req.method === 'GET' && url.pathname === '/api/v1/points/claims/c1') return json(CLAIM);
        return json({ code: 'route_not_found', status: 404 }, 404);
      }),
    );
    const pinia = createPinia();
    setupApi(pinia);
    useSessionStore(pinia).setTokens({ access_token: 'T', refresh_token: '', token_type: 'Bearer', expires_in: 900 });

    const w = mount(ObjectionsTab, { props: { categories: [] }, global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();
    await flushPromises();
    const table = w.find('[aria-label="异议列表"]');
    expect(table.exists()).toBe(true);
    expect(table.text()).toContain('冯艳');
    expect(table.text()).toContain('那天楼道没有人清扫');
    expect(table.text()).toContain('清扫 3 号楼楼道');
    expect(table.text()).toContain('支持异议');
    expect(table.text()).toContain('驳回异议');
    expect(queries).toEqual(['pending']);
    w.unmount();
  });
});
