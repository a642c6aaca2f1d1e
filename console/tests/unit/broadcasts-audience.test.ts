import { describe, expect, it } from 'vitest';
import {
  buildAudience,
  checkNotice,
  describeAudience,
  emptyNotice,
  groupsWithin,
  noticeBody,
  type AudienceForm,
} from '@/views/broadcasts/audience';

const committees = [
  { id: 'c1', name: '第一居委会' },
  { id: 'c2', name: '第二居委会' },
];
const groups = [
  { id: 'g1', name: '第一居委会第1组', committee_id: 'c1' },
  { id: 'g2', name: '第一居委会第2组', committee_id: 'c1' },
  { id: 'g3', name: '第二居委会第1组', committee_id: 'c2' },
];

function audience(over: Partial<AudienceForm> = {}): AudienceForm {
  return { scope: 'some', committeeIds: [], groupIds: [], workingAge: false, jobSeeking: false, ...over };
}

describe('audience building', () => {
  it('sends no audience for the whole site, or when nothing narrows it', () => {
    expect(buildAudience(audience({ scope: 'site', workingAge: true }))).toBeUndefined();
    expect(buildAudience(audience())).toBeUndefined();
  });

  it('sends only the filters that are set', () => {
    expect(buildAudience(audience({ workingAge: true }))).toEqual({ working_age: true });
    expect(buildAudience(audience({ committeeIds: ['c2'], jobSeeking: true }), groups)).toEqual({
      committee_ids: ['c2'],
      job_seeking: true,
    });
    expect(buildAudience(audience({ groupIds: ['g1', 'g3'] }), groups)).toEqual({ group_ids: ['g1', 'g3'] });
  });

  it('drops groups outside the chosen committees (they would reach nobody)', () => {
    expect(groupsWithin(['g1', 'g3'], ['c1'], groups)).toEqual(['g1']);
    expect(groupsWithin(['g1', 'g3'], [], groups)).toEqual(['g1', 'g3']);
    expect(buildAudience(audience({ committeeIds: ['c1'], groupIds: ['g1', 'g3'] }), groups)).toEqual({
      committee_ids: ['c1'],
      group_ids: ['g1'],
    });
  });

  it('describes who receives it in one sentence', () => {
    expect(describeAudience(audience({ scope: 'site' }), committees, groups)).toBe('全体居民');
    expect(describeAudience(audience({ committeeIds: ['c1', 'c2'] }), committees, groups)).toBe('第一居委会、第二居委会中的居民');
    expect(describeAudience(audience({ committeeIds: ['c1'], groupIds: ['g2'], workingAge: true, jobSeeking: true }), committees, groups)).toBe(
      '第一居委会第2组中劳动年龄（16–59 岁）、正在求职的居民',
    );
    expect(describeAudience(audience({ jobSeeking: true }), committees, groups)).toBe('全体居民中正在求职的居民');
  });
});

describe('notice form', () => {
  it('asks for a title, a body and, when narrowed, a condition', () => {
    expect(checkNotice(emptyNotice())).toEqual({ title: '请填写标题', body: '请填写内容' });
    const f = { ...emptyNotice(), title: '停水通知', body: '明天停水', audience: audience() };
    expect(checkNotice(f)).toEqual({ audience: '请至少选择一个条件，或改为发给全体居民' });
    expect(checkNotice({ ...f, title: '长'.repeat(101) }).title).toBe('标题最多 100 个字');
    expect(checkNotice({ ...f, body: '长'.repeat(2001) }).body).toBe('内容最多 2000 个字');
  });

  it('builds the request with urgent only when set', () => {
    const f = { ...emptyNotice(), title: ' 停水通知 ', body: ' 明天停水 ' };
    expect(noticeBody(f)).toEqual({ title: '停水通知', body: '明天停水' });
    expect(noticeBody({ ...f, urgent: true, audience: audience({ groupIds: ['g1'] }) }, groups)).toEqual({
      title: '停水通知',
      body: '明天停水',
      urgent: true,
      audience: { group_ids: ['g1'] },
    });
  });
});
