import { describe, expect, it } from 'vitest';
import { ApiProblemError, translateProblem } from '@/api/problems';
import type { Activity, StoreItem } from '@/api/types';
import {
  REASON_CHIPS,
  REASON_MAX,
  actError,
  actionsFor,
  applyBody,
  activityChoice,
  actProblems,
  claimBody,
  emptyActForm,
  itemChoice,
  pickReason,
  reasonPart,
  redeemBody,
  redemptionResult,
  signupBody,
  signupOpen,
  signupResult,
} from '@/views/service-desk/acting';
import { jobPickerQuery } from '@/views/service-desk/choices';

const resident = { group_id: 'g1' };

describe('acting for a resident: who may do what', () => {
  it('gives staff applications, sign-ups, points claims and the store', () => {
    expect(actionsFor('staff', resident)).toEqual(['job', 'activity', 'claim', 'redeem']);
    expect(actionsFor('site_admin', resident)).toEqual(['job', 'activity', 'claim', 'redeem']);
    expect(actionsFor('platform_admin', resident, ['g1'])).toEqual(['job', 'activity', 'claim', 'redeem']);
  });

  it('gives group leaders claims for residents of the groups they lead, and no store', () => {
    expect(actionsFor('group_leader', resident, ['g1'])).toEqual(['job', 'activity', 'claim']);
    expect(actionsFor('group_leader', resident, ['g2'])).toEqual(['job', 'activity']);
  });

  it('gives nobody else anything', () => {
    expect(actionsFor('resident', resident)).toEqual([]);
    expect(actionsFor('employer', resident)).toEqual([]);
    expect(actionsFor(null, resident)).toEqual([]);
  });
});

describe('acting for a resident: the dialog checks', () => {
  it('needs a pick for jobs, activities and items', () => {
    expect(actProblems('job', emptyActForm())).toEqual({ choice: '请选择岗位' });
    expect(actProblems('activity', emptyActForm())).toEqual({ choice: '请选择活动' });
    expect(actProblems('job', { ...emptyActForm(), choiceId: 'j1' })).toEqual({});
  });

  it('needs a category and what was done for a claim, at most 1000 characters', () => {
    expect(actProblems('claim', emptyActForm())).toEqual({
      category: '请选择积分类别',
      description: '请写明做了什么事',
    });
    const form = { ...emptyActForm(), category: 'public_welfare' as const, description: '  ' };
    expect(actProblems('claim', form).description).toBe('请写明做了什么事');
    expect(actProblems('claim', { ...form, description: '扫'.repeat(1001) }).description).toBe('最多 1000 个字');
    expect(actProblems('claim', { ...form, description: '扫'.repeat(1000) })).toEqual({});
  });

  it('checks a redemption against the stock and the household balance', () => {
    const item = { price: 30, stock: 2, active: true };
    const form = { ...emptyActForm(), choiceId: 'i1', quantity: 1 };
    expect(actProblems('redeem', form, { item, balance: 100 })).toEqual({});
    expect(actProblems('redeem', { ...form, quantity: 3 }, { item, balance: 100 })).toEqual({
      quantity: '库存只有 2 件',
    });
    expect(actProblems('redeem', { ...form, quantity: 2 }, { item, balance: 50 })).toEqual({
      quantity: '积分不够：需要 60 分，这户只有 50 分',
    });
    expect(actProblems('redeem', { ...form, quantity: 0 }, { item, balance: 100 }).quantity).toBe('数量应为 1 到 100');
    expect(actProblems('redeem', { ...form, quantity: 1.5 }, { item, balance: 100 }).quantity).toBe('数量应为 1 到 100');
    expect(actProblems('redeem', form, { item: { ...item, active: false }, balance: 100 })).toEqual({
      choice: '这件商品已下架',
    });
  });

  it('names the resident (or household) in every body', () => {
    const form = { ...emptyActForm(), category: 'civility' as const, description: ' 帮邻居修水管 ' };
    expect(claimBody('r1', form)).toEqual({ resident_id: 'r1', category: 'civility', description: '帮邻居修水管' });
    expect(redeemBody('h1', { ...emptyActForm(), choiceId: 'i1', quantity: 2 })).toEqual({
      item_id: 'i1',
      quantity: 2,
      household_id: 'h1',
    });
  });
});

describe('acting for a resident: what can be picked', () => {
  const now = Date.parse('2026-12-03T02:00:00Z');
  function activity(over: Partial<Activity> = {}): Activity {
    return {
      id: 'a1',
      site_id: 's',
      title: '电工培训',
      description: '',
      kind: 'training',
      place: '培训室',
      starts_at: '2026-12-08T01:00:00Z',
      ends_at: '2026-12-08T04:00:00Z',
      signup_opens_at: '2026-12-01T00:00:00Z',
      signup_closes_at: '2026-12-08T01:00:00Z',
      capacity: 10,
      seats_left: 3,
      waitlist_enabled: true,
      whole_site: true,
      contact: '',
      employer_ids: [],
      finished: false,
      ...over,
    };
  }

  it('offers activities whose sign-up is open, full ones only with a waiting list', () => {
    expect(signupOpen(activity(), now)).toBe(true);
    expect(activityChoice(activity(), now).disabledReason).toBeUndefined();
    expect(activityChoice(activity({ signup_opens_at: '2026-12-04T00:00:00Z' }), now).disabledReason).toBe('还没开始报名');
    expect(activityChoice(activity({ signup_closes_at: '2026-12-03T01:00:00Z' }), now).disabledReason).toBe('报名已截止');
    expect(activityChoice(activity({ seats_left: 0 }), now).disabledReason).toBeUndefined();
    expect(activityChoice(activity({ seats_left: 0 }), now).details).toContain('名额已满，可排候补');
    expect(activityChoice(activity({ seats_left: 0, waitlist_enabled: false }), now).disabledReason).toBe('名额已满');
  });

  it('offers items in stock the household can pay for', () => {
    const item: StoreItem = { id: 'i', site_id: 's', name: '大米', description: '', price: 80, stock: 5, active: true };
    expect(itemChoice(item, 100).disabledReason).toBeUndefined();
    expect(itemChoice(item, 50).disabledReason).toBe('积分不够');
    expect(itemChoice({ ...item, stock: 0 }, 100).disabledReason).toBe('已售完');
    expect(itemChoice(item, null).disabledReason).toBeUndefined();
  });

  it('asks staff for published jobs only and lets the server search the text', () => {
    expect(jobPickerQuery('staff', ' 保洁 ', null)).toEqual({ limit: 20, q: '保洁', status: 'published' });
    expect(jobPickerQuery('group_leader', '', 'c2')).toEqual({ limit: 20, cursor: 'c2' });
  });
});

describe('acting for a resident: results and refusals', () => {
  it('says where a sign-up ended up', () => {
    const base = { id: 's', activity_id: 'a', resident_id: 'r', code: 'x', on_behalf: true, created_at: '' };
    expect(signupResult({ ...base, status: 'confirmed' }, '电工培训')).toContain('已代为报名“电工培训”');
    expect(signupResult({ ...base, status: 'waitlisted', position: 2 }, '电工培训')).toContain('候补第 2 位');
  });

  it('tells the points paid and left', () => {
    const r = { id: 'x', household_id: 'h', item_id: 'i', quantity: 2, points: 60, status: 'pending' as const, created_at: '' };
    expect(redemptionResult(r, '毛巾', 100)).toBe('已兑换“毛巾” 2 件，扣除 60 分，剩余 40 分。商品待领取，请到柜台交给居民。');
  });

  it('explains refusals in the words of the action', () => {
    const err = (code: string, status: number) => new ApiProblemError(translateProblem({ code, status }));
    expect(actError('job', err('duplicate_application', 409))).toBe('这位居民已经报过这个岗位了。');
    expect(actError('activity', err('not_found', 404))).toContain('不对这位居民所在的居民组开放');
    expect(actError('redeem', err('insufficient_points', 409))).toBe('积分不足。');
    expect(actError('job', new TypeError('Failed to fetch'))).toContain('网络连接失败');
  });
});

describe('acting for a resident: the reason (代办原因)', () => {
  it('goes along trimmed with every action, and is left out when blank', () => {
    expect(applyBody('r1')).toEqual({ resident_id: 'r1' });
    expect(applyBody('r1', '   ')).toEqual({ resident_id: 'r1' });
    expect(applyBody('r1', ' 电话委托 ')).toEqual({ resident_id: 'r1', reason: '电话委托' });
    expect(signupBody('r1', '行动不便')).toEqual({ resident_id: 'r1', reason: '行动不便' });
    expect(signupBody('r1', '')).toEqual({ resident_id: 'r1' });
    const claim = { ...emptyActForm(), category: 'civility' as const, description: '扫雪', reason: '不会用手机' };
    expect(claimBody('r1', claim)).toEqual({
      resident_id: 'r1',
      category: 'civility',
      description: '扫雪',
      reason: '不会用手机',
    });
    expect(claimBody('r1', { ...claim, reason: '' })).not.toHaveProperty('reason');
    const redeem = { ...emptyActForm(), choiceId: 'i1', quantity: 1, reason: '到服务台办理' };
    expect(redeemBody('h1', redeem)).toEqual({ item_id: 'i1', quantity: 1, household_id: 'h1', reason: '到服务台办理' });
    expect(redeemBody('h1', { ...redeem, reason: ' ' })).not.toHaveProperty('reason');
    expect(reasonPart(undefined)).toEqual({});
  });

  it('is at most 200 characters, for every action', () => {
    const long = '慢'.repeat(REASON_MAX + 1);
    for (const kind of ['job', 'activity', 'redeem'] as const) {
      const form = { ...emptyActForm(), choiceId: 'x', reason: long };
      expect(actProblems(kind, form).reason).toBe('代办原因最多 200 个字');
      expect(actProblems(kind, { ...form, reason: '慢'.repeat(REASON_MAX) })).toEqual({});
    }
    const claim = { ...emptyActForm(), category: 'civility' as const, description: '扫雪', reason: long };
    expect(actProblems('claim', claim)).toEqual({ reason: '代办原因最多 200 个字' });
  });

  it('fills the box from a quick pick, adding a second pick once', () => {
    expect(REASON_CHIPS).toEqual(expect.arrayContaining(['不会用手机', '行动不便', '电话委托', '到服务台办理']));
    expect(pickReason('', '不会用手机')).toBe('不会用手机');
    expect(pickReason('  ', '行动不便')).toBe('行动不便');
    expect(pickReason('不会用手机', '电话委托')).toBe('不会用手机，电话委托');
    expect(pickReason('不会用手机，电话委托', '电话委托')).toBe('不会用手机，电话委托');
    const full = '慢'.repeat(REASON_MAX - 2);
    expect(pickReason(full, '行动不便')).toBe(full);
  });

  it('tells staff who may file a claim when refused', () => {
    const err = new ApiProblemError(translateProblem({ code: 'forbidden', status: 403 }));
    expect(actError('claim', err)).toContain('工作人员');
  });
});
