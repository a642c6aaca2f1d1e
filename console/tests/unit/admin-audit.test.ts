// The 审计日志 filters: the query they send, what is wrong with them, and the tab sending it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import AuditTab from '@/views/admin/AuditTab.vue';
import {
  AUDIT_KINDS,
  actionSuggestions,
  auditFiltered,
  auditFilterProblems,
  auditQuery,
  emptyAuditFilters,
  rfc3339,
} from '@/views/admin/audit';
import { session } from './support/site-api';

const ID = '01a23baa-cda1-73c0-99aa-311c6d06dc1e';

describe('audit filters', () => {
  it('offers the kinds of action, each ending in a dot', () => {
    expect(AUDIT_KINDS[0]).toEqual({ value: '', label: '全部' });
    expect(AUDIT_KINDS.map((k) => k.value).slice(1)).toEqual([
      'resident.',
      'claim.',
      'activity.',
      'application.',
      'store.',
      'account.',
      'broadcast.',
    ]);
  });

  it('sends nothing but the page size when no filter is set', () => {
    expect(auditQuery(emptyAuditFilters())).toEqual({ limit: 50 });
    expect(auditFiltered(emptyAuditFilters())).toBe(false);
  });

  it('sends a kind, or the exact action typed in instead', () => {
    const f = { ...emptyAuditFilters(), kind: 'resident.' };
    expect(auditQuery(f)).toEqual({ limit: 50, action: 'resident.' });
    expect(auditQuery({ ...f, action: ' Claim.Verify ' }, 'CUR')).toEqual({ limit: 50, action: 'claim.verify', cursor: 'CUR' });
    expect(auditFiltered(f)).toBe(true);
  });

  it('sends the ids and the time range in RFC 3339', () => {
    const since = new Date(2026, 2, 1, 8, 0, 0);
    const until = new Date(2026, 2, 2, 23, 59, 59);
    const q = auditQuery({
      ...emptyAuditFilters(),
      actorAccountId: ` ${ID.toUpperCase()} `,
      targetId: ID,
      onBehalfOf: ID,
      range: [since, until],
    });
    expect(q).toMatchObject({ actor_account_id: ID, target_id: ID, on_behalf_of: ID });
    expect(q.since).toBe(rfc3339(since));
    expect(new Date(q.since!).getTime()).toBe(since.getTime());
    expect(new Date(q.until!).getTime()).toBe(until.getTime());
  });

  it('writes instants with the local offset, to the second', () => {
    const s = rfc3339(new Date(2026, 0, 5, 7, 3, 9, 500));
    expect(s).toMatch(/^2026-01-05T07:03:09[+-]\d{2}:\d{2}$/);
  });

  it('says what is wrong with the filters', () => {
    expect(auditFilterProblems(emptyAuditFilters())).toEqual({});
    const bad = {
      ...emptyAuditFilters(),
      action: '修改居民',
      actorAccountId: '1234',
      targetId: 'x',
      onBehalfOf: `${ID}0`,
      range: [new Date(2026, 0, 2), new Date(2026, 0, 1)] as [Date, Date],
    };
    expect(auditFilterProblems(bad)).toEqual({
      action: '请填写操作代码，例如 resident.update',
      actorAccountId: '请填写完整的账号 ID',
      targetId: '请填写完整的对象 ID',
      onBehalfOf: '请填写完整的居民 ID',
      range: '结束时间应晚于开始时间',
    });
    const same = new Date(2026, 0, 1);
    expect(auditFilterProblems({ ...emptyAuditFilters(), range: [same, same] })).toHaveProperty('range');
    expect(auditFilterProblems({ ...emptyAuditFilters(), action: 'resident.' })).toEqual({});
  });

  it('suggests known actions by code or Chinese name', () => {
    expect(actionSuggestions('修改居民')).toEqual([{ value: 'resident.update', label: '修改居民信息' }]);
    expect(actionSuggestions('employment.').map((s) => s.value)).toEqual(['employment.end', 'employment.record']);
    expect(actionSuggestions('').length).toBeGreaterThan(10);
  });
});

describe('audit tab', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  it('queries with the filters on submit and shows reason and on-behalf columns', async () => {
    const calls: URL[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const url = new URL(req.url);
        calls.push(url);
        const body = {
          items: [
            {
              id: 'ev1',
              actor_account_id: ID,
              actor_role: 'staff',
              action: 'resident.update',
              target_type: 'resident',
              target_id: ID,
              on_behalf_of: ID,
              site_id: 's1',
              reason: '居民来电更正电话',
              details: {},
              created_at: '2026-03-01T02:00:00Z',
            },
          ],
          next_cursor: null,
        };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }),
    );
    const w = mount(AuditTab, { global: { plugins: [session('site_admin')] }, attachTo: document.body });
    await flushPromises();
    const form = w.find('form[aria-label="审计筛选"]');
    expect(form.exists()).toBe(true);
    const table = w.find('[aria-label="操作记录"]');
    expect(table.text()).toContain('原因');
    expect(table.text()).toContain('代办对象');
    expect(table.text()).toContain('居民来电更正电话');
    expect(table.text()).toContain('…6d06dc1e');

    await w.find('input[aria-label="代办对象"]').setValue(ID);
    await w.find('input[aria-label="具体操作"]').setValue('resident.update');
    await form.trigger('submit');
    await flushPromises();
    const last = calls.at(-1)!;
    expect(last.pathname).toBe('/api/v1/audit-events');
    expect(last.searchParams.get('on_behalf_of')).toBe(ID);
    expect(last.searchParams.get('action')).toBe('resident.update');

    // A wrong id is not sent.
    const before = calls.length;
    await w.find('input[aria-label="对象 ID"]').setValue('abc');
    await form.trigger('submit');
    await flushPromises();
    expect(calls.length).toBe(before);
    const item = w.find('input[aria-label="对象 ID"]').element.closest('.el-form-item');
    expect(item?.classList.contains('is-error')).toBe(true);

    const reset = w.findAll('button').find((b) => b.text() === '重置');
    await reset!.trigger('click');
    await flushPromises();
    expect([...calls.at(-1)!.searchParams.keys()]).toEqual(['limit']);
    w.unmount();
  });
});
