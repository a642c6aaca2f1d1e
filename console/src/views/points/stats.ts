// The points report (GET /reports/points) as figures and ECharts options.
import type { PointsReport } from '@/api/types';
import { percent } from './format';

export interface Figure {
  label: string;
  value: string;
}

/** The headline figures, participation rate first. */
export function headline(r: PointsReport): Figure[] {
  return [
    { label: '参与率', value: percent(r.participation_rate) },
    { label: '参与户数', value: `${r.participating_households} / ${r.households} 户` },
    { label: '累计奖励积分', value: `${r.points_credited} 分` },
    { label: '已入账申报', value: `${r.by_category.reduce((n, c) => n + c.claims, 0)} 条` },
  ];
}

/** A group's participation rate (0–1); a group without households has none. */
export function groupRate(g: PointsReport['by_group'][number]): number | null {
  return g.households > 0 ? g.participating / g.households : null;
}

/** Points and claims by category, in the scheme's order. */
export function categoryOption(r: PointsReport): Record<string, unknown> {
  return {
    aria: { enabled: true, decal: { show: false } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, data: ['积分', '申报条数'] },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: r.by_category.map((c) => c.title.replace(/^争当/, '')),
      axisLabel: { interval: 0 },
    },
    yAxis: [
      { type: 'value', name: '积分', minInterval: 1 },
      { type: 'value', name: '条', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        name: '积分',
        type: 'bar',
        barMaxWidth: 28,
        data: r.by_category.map((c) => c.points),
        itemStyle: { color: '#409eff' },
      },
      {
        name: '申报条数',
        type: 'bar',
        yAxisIndex: 1,
        barMaxWidth: 28,
        data: r.by_category.map((c) => c.claims),
        itemStyle: { color: '#67c23a' },
      },
    ],
  };
}

/** Participation by group, as horizontal bars in percent (groups in the report's order, top down). */
export function groupOption(r: PointsReport): Record<string, unknown> {
  // ECharts draws the first category at the bottom: reverse so the first group is on top.
  const groups = [...r.by_group].reverse();
  return {
    aria: { enabled: true, decal: { show: false } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—'),
    },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', data: groups.map((g) => g.name), axisTick: { show: false } },
    series: [
      {
        name: '参与率',
        type: 'bar',
        data: groups.map((g) => {
          const rate = groupRate(g);
          return rate === null ? null : Math.floor(rate * 1000 + 1e-6) / 10;
        }),
        itemStyle: { color: '#409eff' },
        barMaxWidth: 18,
        label: { show: true, position: 'right', formatter: '{c}%' },
      },
    ],
  };
}

/** The participation rate as a gauge. */
export function gaugeOption(r: PointsReport): Record<string, unknown> {
  const value = Math.floor(r.participation_rate * 1000 + 1e-6) / 10;
  return {
    aria: { enabled: true },
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        startAngle: 210,
        endAngle: -30,
        progress: { show: true, width: 16, itemStyle: { color: '#409eff' } },
        axisLine: { lineStyle: { width: 16 } },
        splitLine: { show: false },
        axisTick: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        anchor: { show: false },
        title: { show: false },
        detail: {
          valueAnimation: false,
          formatter: () => percent(r.participation_rate),
          fontSize: 30,
          fontWeight: 600,
          offsetCenter: [0, 0],
        },
        data: [{ value, name: '参与率' }],
      },
    ],
  };
}
