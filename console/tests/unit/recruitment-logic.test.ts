import { describe, expect, it } from 'vitest';
import { ApiProblemError, translateProblem } from '@/api/problems';
import type { EmploymentReport } from '@/api/types';
import {
  barData,
  drillQuery,
  employerDecisions,
  employerQuery,
  employmentFormProblems,
  endDateProblem,
  groupRows,
  householdQuery,
  householdsOfGroup,
  householdTarget,
  jobQuery,
  needsReason,
  PAGE_SIZE,
  percent,
  pipelineStep,
  publishedFilters,
  reasonProblem,
  recruitmentError,
  reviewFilters,
  staffApplicationMoves,
  staffJobActions,
  validityPassed,
} from '@/views/recruitment/logic';

describe('employer review', () => {
  it('offers only the decisions the server allows from each status', () => {
    expect(employerDecisions('pending')).toEqual(['verify', 'reject']);
    expect(employerDecisions('verified')).toEqual(['suspend']);
    expect(employerDecisions('rejected')).toEqual(['verify']);
    expect(employerDecisions('suspended')).toEqual(['verify']);
    expect(needsReason('reject')).toBe(true);
    expect(needsReason('suspend')).toBe(true);
    expect(needsReason('verify')).toBe(false);
  });

  it('asks for the review queue by status, and for every status when none is picked', () => {
    expect(employerQuery('pending')).toEqual({ limit: PAGE_SIZE, status: 'pending' });
    expect(employerQuery('', 'c2')).toEqual({ limit: PAGE_SIZE, cursor: 'c2' });
  });

  it('wants a reason of 1 to 500 characters', () => {
    expect(reasonProblem('  ')).toBe('请填写原因');
    expect(reasonProblem('执照不清楚')).toBeNull();
    expect(reasonProblem('字'.repeat(500))).toBeNull();
    expect(reasonProblem('字'.repeat(501))).toBe('原因不能超过 500 字');
  });
});

describe('job queues', () => {
  it('starts the review queue with submitted postings and the other tab with published ones', () => {
    expect(jobQuery(reviewFilters())).toEqual({ limit: PAGE_SIZE, status: 'pending_review' });
    expect(jobQuery(publishedFilters(), 'next')).toEqual({ limit: PAGE_SIZE, status: 'published', cursor: 'next' });
  });

  it('sends the search text trimmed, and only the filters that are set', () => {
    expect(jobQuery({ status: '', q: '  包装 ', category: 'community_workshop' })).toEqual({
      limit: PAGE_SIZE,
      q: '包装',
      category: 'community_workshop',
    });
    expect(jobQuery({ status: '', q: '   ', category: '' })).toEqual({ limit: PAGE_SIZE });
  });

  it('lets staff publish, send back or close a submitted posting, and only close others', () => {
    expect(staffJobActions('pending_review')).toEqual(['publish', 'reject', 'close']);
    expect(staffJobActions('published')).toEqual(['close']);
    expect(staffJobActions('draft')).toEqual(['close']);
    expect(staffJobActions('closed')).toEqual([]);
    expect(staffJobActions('filled')).toEqual([]);
    expect(staffJobActions('expired')).toEqual([]);
  });

  it('knows when a posting can no longer be published', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    expect(validityPassed('2026-12-03T09:59:59Z', now)).toBe(true);
    expect(validityPassed('2026-12-03T10:00:01Z', now)).toBe(false);
  });
});

describe('application pipeline', () => {
  it('lets staff (for the applicant) only withdraw, and only before a hire or a refusal', () => {
    for (const s of ['submitted', 'viewed', 'interviewing', 'offered'] as const) {
      expect(staffApplicationMoves(s)).toEqual(['withdrawn']);
    }
    for (const s of ['hired', 'not_selected', 'withdrawn'] as const) {
      expect(staffApplicationMoves(s)).toEqual([]);
    }
  });

  it('places an application on the employer pipeline, or off it', () => {
    expect(pipelineStep('submitted')).toBe(0);
    expect(pipelineStep('hired')).toBe(4);
    expect(pipelineStep('withdrawn')).toBe(-1);
    expect(pipelineStep('not_selected')).toBe(-1);
  });
});

describe('employment records', () => {
  const today = new Date(2026, 11, 3, 15, 0);

  it('names every missing field and refuses a start in the future', () => {
    expect(employmentFormProblems({ residentId: '', channel: '', startDate: '' }, today)).toEqual({
      residentId: '请选择居民',
      channel: '请选择就业渠道',
      startDate: '请选择开始日期',
    });
    expect(
      employmentFormProblems({ residentId: 'r', channel: 'local', startDate: '2026-12-04' }, today),
    ).toEqual({ startDate: '开始日期不能晚于今天' });
    expect(employmentFormProblems({ residentId: 'r', channel: 'industry', startDate: '2026-12-03' }, today)).toEqual({});
  });

  it('refuses an end before the start or after today', () => {
    expect(endDateProblem('2026-11-01', '2026-10-31', today)).toBe('结束日期不能早于开始日期');
    expect(endDateProblem('2026-11-01', '2026-12-04', today)).toBe('结束日期不能晚于今天');
    expect(endDateProblem('2026-11-01', '2026-11-01', today)).toBeNull();
    expect(endDateProblem('2026-11-01', '', today)).toBe('请选择结束日期');
  });

  it('translates the problem codes the shared table does not know', () => {
    const e = new ApiProblemError(translateProblem({ code: 'already_ended', status: 409 }));
    expect(recruitmentError(e)).toBe('这条就业记录已经结束过了。');
    const known = new ApiProblemError(translateProblem({ code: 'illegal_transition', status: 409 }));
    expect(recruitmentError(known)).toContain('当前状态下不能进行这个操作');
  });
});

describe('employment dashboard', () => {
  const report: EmploymentReport = {
    households_with_labour: 30,
    working_age_residents: 60,
    employed_residents: 20,
    households_below_target: 9,
    groups: [
      { group_id: 'g2', group_name: '第2组', committee_id: 'c', households_with_labour: 10, working_age_residents: 20, employed_residents: 5, households_below_target: 3 },
      { group_id: 'g10', group_name: '第10组', committee_id: 'c', households_with_labour: 12, working_age_residents: 0, employed_residents: 0, households_below_target: 6 },
      { group_id: 'g1', group_name: '第1组', committee_id: 'c', households_with_labour: 8, working_age_residents: 40, employed_residents: 15, households_below_target: 3 },
    ],
    below_target: [
      { household_id: 'h1', label: '3-101', group_id: 'g1', labour: 3, employed: 1 },
      { household_id: 'h2', label: '1-202', group_id: 'g1', labour: 4, employed: 0 },
      { household_id: 'h3', label: '1-101', group_id: 'g1', labour: 1, employed: 0 },
      { household_id: 'h4', label: '2-101', group_id: 'g2', labour: 2, employed: 0 },
    ],
  };

  it('orders groups by households below target, then by name in numeric order', () => {
    const rows = groupRows(report);
    expect(rows.map((r) => r.groupId)).toEqual(['g10', 'g1', 'g2']);
    expect(rows.find((r) => r.groupId === 'g2')?.rate).toBe(25);
    expect(rows.find((r) => r.groupId === 'g10')?.rate).toBe(0);
  });

  it('shapes the horizontal bar chart with the worst group on top', () => {
    const d = barData(groupRows(report));
    // ECharts draws the first category at the bottom.
    expect(d.names).toEqual(['第2组', '第1组', '第10组']);
    expect(d.groupIds).toEqual(['g2', 'g1', 'g10']);
    expect(d.belowTarget).toEqual([3, 3, 6]);
    expect(d.withLabour).toEqual([10, 8, 12]);
  });

  it('lists a group’s households below target, the biggest shortfall first', () => {
    expect(householdTarget(1)).toBe(1);
    expect(householdTarget(5)).toBe(2);
    expect(householdsOfGroup(report, 'g1').map((h) => h.label)).toEqual(['1-202', '1-101', '3-101']);
    expect(householdsOfGroup(report, 'g9')).toEqual([]);
  });

  it('drills down to a group’s working-age residents, by employment status when one is picked', () => {
    expect(drillQuery('g1', 'unemployed')).toEqual({
      limit: PAGE_SIZE,
      group_id: 'g1',
      working_age: true,
      employment_status: 'unemployed',
    });
    expect(drillQuery('g1', '', 'c3')).toEqual({ limit: PAGE_SIZE, group_id: 'g1', working_age: true, cursor: 'c3' });
    expect(householdQuery('h1')).toEqual({ limit: PAGE_SIZE, household_id: 'h1' });
  });

  it('rounds rates to one decimal', () => {
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(0, 0)).toBe(0);
  });
});
