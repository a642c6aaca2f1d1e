import { describe, expect, it } from 'vitest';
import {
  accountFilterProblem,
  accountFormProblems,
  accountQuery,
  accountRequest,
  creatableRoles,
  emptyAccountFilters,
  emptyAccountForm,
  passwordProblem,
} from '@/views/admin/accounts';
import { actionLabel, compactJson, shortId, targetLabel } from '@/views/admin/audit';
import {
  creditCodeProblem,
  emptyPartnerForm,
  eventLabel,
  partnerFormProblems,
  partnerRequest,
} from '@/views/admin/partners';

describe('account form rules', () => {
  it('lets site administrators create staff and site administrators only', () => {
    expect(creatableRoles('platform_admin')).toEqual(['staff', 'site_admin', 'platform_admin']);
    expect(creatableRoles('site_admin')).toEqual(['staff', 'site_admin']);
    expect(creatableRoles('staff')).toEqual([]);
    const f = { ...emptyAccountForm(), phone: '13700001111', password: 'Xq7-lushi-2026', confirm: 'Xq7-lushi-2026', role: 'platform_admin' as const };
    expect(accountFormProblems(f, 'site_admin')).toEqual({ role: '您不能创建这个角色的账号' });
    expect(accountFormProblems(f, 'platform_admin')).toEqual({});
  });

  it('applies the server’s password policy', () => {
    expect(passwordProblem('short7!', '')).toBe('密码至少 8 位');
    expect(passwordProblem('x'.repeat(129), '')).toBe('密码最多 128 位');
    expect(passwordProblem('Password123', '')).toContain('太常见');
    expect(passwordProblem('aaaaaaaaaa', '')).toContain('太常见');
    expect(passwordProblem('ab13700001111', '137 0000 1111')).toBe('密码不能包含手机号');
    expect(passwordProblem('Xq7-lushi-2026', '13700001111')).toBe('');
  });

  it('needs a site for staff and site administrators, a valid phone and a matching confirmation', () => {
    const f = { ...emptyAccountForm(), phone: '1370000', password: 'Xq7-lushi-2026', confirm: 'other', role: 'staff' as const };
    expect(accountFormProblems(f, 'platform_admin')).toEqual({
      phone: '手机号应为 11 位，以 13–19 开头',
      confirm: '两次输入的密码不一样',
      siteId: '请选择安置点',
    });
    expect(accountFormProblems(emptyAccountForm(), 'site_admin')).toMatchObject({ phone: '请填写手机号', role: '请选择角色' });
  });

  it('sends the normalised phone, and no site for platform administrators', () => {
    const base = { ...emptyAccountForm(), phone: '137 0000 1111', password: 'Xq7-lushi-2026', confirm: 'Xq7-lushi-2026', siteId: 's1' };
    expect(accountRequest({ ...base, role: 'staff' })).toEqual({ phone: '13700001111', password: 'Xq7-lushi-2026', role: 'staff', site_id: 's1' });
    expect(accountRequest({ ...base, role: 'platform_admin' })).toEqual({ phone: '13700001111', password: 'Xq7-lushi-2026', role: 'platform_admin' });
  });

  it('builds the list query from the filters', () => {
    expect(accountQuery(emptyAccountFilters())).toEqual({ limit: 50 });
    expect(accountQuery({ role: 'staff', state: 'disabled', phone: '+86 137 0000 1111', siteId: 's1' }, 'CUR')).toEqual({
      limit: 50,
      role: 'staff',
      disabled: true,
      phone: '13700001111',
      site_id: 's1',
      cursor: 'CUR',
    });
    expect(accountQuery({ ...emptyAccountFilters(), state: 'enabled' }).disabled).toBe(false);
    expect(accountFilterProblem({ ...emptyAccountFilters(), phone: '1370' })).toBe('请输入完整的 11 位手机号');
  });
});

describe('audit view', () => {
  it('labels actions and targets, keeping unknown ones as they are', () => {
    expect(actionLabel('resident.update')).toBe('修改居民信息');
    expect(actionLabel('something.new')).toBe('something.new');
    expect(targetLabel('household')).toBe('户');
  });

  it('shows details as one short line of JSON', () => {
    expect(compactJson({ fields: ['phone', 'skills'] })).toBe('{"fields":["phone","skills"]}');
    expect(compactJson({})).toBe('');
    expect(compactJson(null)).toBe('');
    const long = compactJson({ text: '很'.repeat(200) }, 20);
    expect([...long]).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('shortens ids by their random tail, not their shared time prefix', () => {
    expect(shortId('01a23baa-cda1-73c0-99aa-311c6d06dc1e')).toBe('…6d06dc1e');
    expect(shortId(null)).toBe('—');
  });
});

describe('partner form rules', () => {
  it('checks unified social credit codes (GB 32100)', () => {
    for (const ok of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T', ' 91110108551385082q ']) {
      expect(creditCodeProblem(ok)).toBe('');
    }
    expect(creditCodeProblem('91110000600037341X')).toContain('校验位');
    expect(creditCodeProblem('9111000060003734')).toContain('18 位');
    expect(creditCodeProblem('91110000600037341I')).toContain('只能包含');
    expect(creditCodeProblem('B1110000600037341L')).toContain('第 1 位');
    expect(creditCodeProblem('911A0000600037341L')).toContain('第 3–8 位');
  });

  it('needs a webhook address with the webhooks scope, and at least one scope', () => {
    const f = { ...emptyPartnerForm(), name: '省人才中心', creditCode: '91110000600037341L', scopes: ['webhooks' as const] };
    expect(partnerFormProblems(f)).toEqual({ webhookUrl: '接收岗位推送需要填写推送地址' });
    expect(partnerFormProblems({ ...f, webhookUrl: 'ftp://x' })).toEqual({ webhookUrl: '请填写以 https:// 开头的完整网址' });
    expect(partnerFormProblems({ ...f, webhookUrl: 'https://hr.example.cn/hook' })).toEqual({});
    expect(partnerFormProblems({ ...f, scopes: [] })).toMatchObject({ scopes: '请至少选择一项权限' });
  });

  it('builds the request', () => {
    const f = { ...emptyPartnerForm(), name: ' 省人才中心 ', creditCode: '91110000600037341l', webhookUrl: ' ' };
    expect(partnerRequest(f)).toEqual({
      name: '省人才中心',
      credit_code: '91110000600037341L',
      scopes: ['jobs:write', 'jobs:read'],
      review_inbound: true,
    });
    expect(eventLabel('job.closed')).toBe('岗位关闭');
  });
});
