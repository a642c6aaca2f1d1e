import { describe, expect, it } from 'vitest';
import {
  audienceDetail,
  audienceForm,
  confirmLines,
  countText,
  describeOutcome,
  formatOutcome,
  sentMessage,
  summarizeAudience,
} from '@/views/broadcasts/sent';

const committees = [
  { id: 'c1', name: '第一居委会' },
  { id: 'c2', name: '第二居委会' },
];
const groups = [
  { id: 'g1', name: '第一居委会第1组', committee_id: 'c1' },
  { id: 'g2', name: '第一居委会第2组', committee_id: 'c1' },
];

describe('sent audience summary', () => {
  it('says 全体居民 when nothing narrows it', () => {
    expect(summarizeAudience({})).toBe('全体居民');
    expect(summarizeAudience(undefined)).toBe('全体居民');
    expect(summarizeAudience({ committee_ids: [], group_ids: [], working_age: false })).toBe('全体居民');
  });

  it('counts committees and groups and names the traits', () => {
    expect(summarizeAudience({ committee_ids: ['c1', 'c2'] })).toBe('2 个居委会');
    expect(summarizeAudience({ group_ids: ['g1', 'g2', 'g3'] })).toBe('3 个居民组');
    expect(summarizeAudience({ working_age: true })).toBe('劳动年龄');
    expect(summarizeAudience({ job_seeking: true })).toBe('求职中');
    expect(summarizeAudience({ committee_ids: ['c1'], group_ids: ['g1'], working_age: true, job_seeking: true })).toBe(
      '1 个居委会、1 个居民组、劳动年龄、求职中',
    );
  });

  it('turns a sent audience back into the form audience', () => {
    expect(audienceForm({ group_ids: ['g1'], job_seeking: true })).toEqual({
      scope: 'some',
      committeeIds: [],
      groupIds: ['g1'],
      workingAge: false,
      jobSeeking: true,
    });
  });

  it('names committees and groups only when all of them are known', () => {
    expect(audienceDetail({ committee_ids: ['c2'], working_age: true }, committees, groups)).toBe(
      '第二居委会中劳动年龄（16–59 岁）的居民',
    );
    expect(audienceDetail({ group_ids: ['g1', 'g2'] }, committees, groups)).toBe('第一居委会第1组、第一居委会第2组中的居民');
    expect(audienceDetail({ group_ids: ['g1', 'gone'] }, committees, groups)).toBe('');
    expect(audienceDetail({ committee_ids: ['gone'] }, committees, groups)).toBe('');
    expect(audienceDetail({}, committees, groups)).toBe('');
  });
});

describe('channel outcomes', () => {
  it('shows sent / failed / pending', () => {
    expect(formatOutcome({ sent: 12, failed: 1, pending: 3, skipped: 4 })).toBe('12 / 1 / 3');
    expect(formatOutcome(undefined)).toBe('—');
  });

  it('spells them out, with the skipped ones when there are any', () => {
    expect(describeOutcome({ sent: 2, failed: 0, pending: 1, skipped: 0 })).toBe('成功 2，失败 0，待发 1');
    expect(describeOutcome({ sent: 2, failed: 0, pending: 1, skipped: 5 })).toBe(
      '成功 2，失败 0，待发 1，未发 5（没有设备或居民已关闭）',
    );
    expect(describeOutcome(null)).toBe('');
  });
});

describe('recipient count text', () => {
  const state = { ready: true, recipients: 12, loading: false, error: '' };

  it('gives the expected number, zero included', () => {
    expect(countText(state)).toBe('预计发送给 12 人');
    expect(countText({ ...state, recipients: 0 })).toBe('预计发送给 0 人');
  });

  it('says why there is no number', () => {
    expect(countText({ ...state, ready: false })).toBe('请先选择发送对象');
    expect(countText({ ...state, loading: true })).toBe('正在计算人数…');
    expect(countText({ ...state, recipients: null })).toBe('正在计算人数…');
    expect(countText({ ...state, recipients: null, error: '网络连接失败' })).toBe('人数暂时无法计算');
  });

  it('asks for confirmation with the number, and reports the accepted number', () => {
    expect(confirmLines(30, '停水通知', '全体居民', false)).toEqual(['确定发送给 30 人？', '“停水通知”将发送给全体居民。']);
    expect(confirmLines(null, '停水通知', '全体居民', true)).toEqual([
      '确定发送吗？（人数暂时无法计算）',
      '“停水通知”将发送给全体居民。',
      '这是紧急通知，免打扰时段也会送达。',
    ]);
    expect(sentMessage(30)).toMatch(/^已发送，共 30 人/);
  });
});
