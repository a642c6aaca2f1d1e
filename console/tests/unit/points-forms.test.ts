import { describe, expect, it } from 'vitest';
import type { PointsReport } from '@/api/types';
import { campaignBody, checkCampaign, checkRange, emptyCampaign } from '@/views/points/campaigns';
import { checkDeduction } from '@/views/points/deductions';
import { percent, signed } from '@/views/points/format';
import { labelMatches, newIdempotencyKey } from '@/views/points/lists';
import { groupRate, headline } from '@/views/points/stats';

describe('campaign form', () => {
  it('asks for every field, and groups when sent to some groups', () => {
    expect(Object.keys(checkCampaign(emptyCampaign())).sort()).toEqual(['category', 'period', 'rules', 'title']);
    const f = { ...emptyCampaign(), category: 'environment' as const, title: '冬季清洁', rules: '清扫楼道', period: ['2026-12-31', '2026-12-01'] as [string, string] };
    expect(checkCampaign(f)).toEqual({ period: '开始日期不能晚于结束日期' });
    expect(checkCampaign({ ...f, period: ['2026-12-01', '2026-12-31'], audience: 'groups' })).toEqual({ groupIds: '请选择居民组' });
  });

  it('sends group ids only for some groups, and the site only for platform administrators', () => {
    const f = {
      ...emptyCampaign(),
      category: 'environment' as const,
      title: ' 冬季清洁 ',
      rules: '清扫楼道',
      period: ['2026-12-01', '2026-12-31'] as [string, string],
      groupIds: ['g1'],
    };
    expect(campaignBody(f)).toEqual({
      category: 'environment',
      title: '冬季清洁',
      rules: '清扫楼道',
      period_start: '2026-12-01',
      period_end: '2026-12-31',
    });
    expect(campaignBody({ ...f, audience: 'groups' }, 's1')).toMatchObject({ group_ids: ['g1'], site_id: 's1' });
  });

  it('checks a category range', () => {
    expect(checkRange(1, 10)).toBeNull();
    expect(checkRange(0, 10)).toBe('最少积分不能小于 1。');
    expect(checkRange(5, 10001)).toBe('最多积分不能超过 10000。');
    expect(checkRange(60, 50)).toBe('最少积分不能大于最多积分。');
    expect(checkRange(null, 5)).toBe('请填写最少和最多积分。');
  });
});

describe('deduction form', () => {
  it('needs a household, 1–10,000 points and a reason up to 200 characters', () => {
    expect(checkDeduction(false, 5, '乱扔垃圾')).toBe('请先选择住户。');
    expect(checkDeduction(true, 0, '乱扔垃圾')).toBe('请填写要扣除的积分（至少 1 分）。');
    expect(checkDeduction(true, 10001, '乱扔垃圾')).toBe('一次最多扣除 10000 分。');
    expect(checkDeduction(true, 5, ' ')).toBe('请填写扣分原因，这一户会看到。');
    expect(checkDeduction(true, 5, '乱'.repeat(201))).toBe('扣分原因最多 200 个字。');
    expect(checkDeduction(true, 5, '乱扔垃圾')).toBeNull();
  });
});

describe('finding a household by its label', () => {
  it('matches unit-room labels typed with or without the dash', () => {
    expect(labelMatches('3-201', '3-201')).toBe(true);
    expect(labelMatches('3-201', '3201')).toBe(true);
    expect(labelMatches('3-201', '201')).toBe(true);
    expect(labelMatches('3-201', '3－201')).toBe(true);
    expect(labelMatches('3-201', '')).toBe(true);
    expect(labelMatches('3-201', '2-201')).toBe(false);
    expect(labelMatches('3-201', '302')).toBe(false);
  });

  it('makes a fresh UUID-shaped idempotency key each time', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(a);
  });
});

describe('points report', () => {
  const report: PointsReport = {
    households: 2749,
    participating_households: 2685,
    participation_rate: 2685 / 2749,
    points_credited: 128560,
    by_category: [
      { category: 'environment', title: '争当环境爱护者', claims: 30, points: 300 },
      { category: 'bravery', title: '争当见义勇为者', claims: 2, points: 200 },
    ],
    by_group: [
      { group_id: 'g1', name: '第一居委会第1组', households: 90, participating: 88, points: 4000 },
      { group_id: 'g2', name: '第一居委会第2组', households: 0, participating: 0, points: 0 },
    ],
  };

  it('shows the seed community figures as the case study reports them (97.6%)', () => {
    expect(headline(report)).toEqual([
      { label: '参与率', value: '97.6%' },
      { label: '参与户数', value: '2685 / 2749 户' },
      { label: '累计奖励积分', value: '128560 分' },
      { label: '已入账申报', value: '32 条' },
    ]);
    expect(percent(0.976)).toBe('97.6%');
    expect(percent(0.9999)).toBe('99.9%');
    expect(percent(0.0015)).toBe('0.1%');
  });

  it('formats rates, tiny rates and signed points', () => {
    expect(percent(0)).toBe('0.0%');
    expect(percent(1 / 2749)).toBe('<0.1%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(Number.NaN)).toBe('—');
    expect(signed(20)).toBe('+20');
    expect(signed(-5)).toBe('-5');
    expect(groupRate(report.by_group[0]!)).toBeCloseTo(88 / 90);
    expect(groupRate(report.by_group[1]!)).toBeNull();
  });
});
