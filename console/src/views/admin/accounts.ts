// The 账号 tab's logic: the list's filters -> query, and the new-account form's rules (those of
// POST /accounts and the server's password policy, checked here first so the user sees them in
// Chinese).
import type { AccountQuery, NewAccountRequest, Role } from '@/api/types';
import { normalizePhone } from '@/views/registry/residentForm';

export const PAGE_SIZE = 50;

export type CreatableRole = 'staff' | 'site_admin' | 'platform_admin';

/** Roles an administrator may create: site administrators staff and site administrators only. */
export function creatableRoles(caller: Role | null): CreatableRole[] {
  if (caller === 'platform_admin') return ['staff', 'site_admin', 'platform_admin'];
  if (caller === 'site_admin') return ['staff', 'site_admin'];
  return [];
}

export interface AccountFilters {
  role: Role | '';
  /** '' all, 'enabled', 'disabled'. */
  state: '' | 'enabled' | 'disabled';
  phone: string;
  /** Platform administrators: only this site's ('' all sites). */
  siteId: string;
}

export function emptyAccountFilters(): AccountFilters {
  return { role: '', state: '', phone: '', siteId: '' };
}

/** Filter problems the server would refuse (the phone must be a whole mobile number). */
export function accountFilterProblem(f: AccountFilters): string {
  if (f.phone.trim() && !normalizePhone(f.phone)) return '请输入完整的 11 位手机号';
  return '';
}

export function accountQuery(f: AccountFilters, cursor?: string | null): AccountQuery {
  const q: AccountQuery = { limit: PAGE_SIZE };
  if (f.role) q.role = f.role;
  if (f.state) q.disabled = f.state === 'disabled';
  const phone = f.phone.trim() ? normalizePhone(f.phone) : null;
  if (phone) q.phone = phone;
  if (f.siteId) q.site_id = f.siteId;
  if (cursor) q.cursor = cursor;
  return q;
}

export interface AccountForm {
  phone: string;
  password: string;
  confirm: string;
  role: CreatableRole | '';
  siteId: string;
}

export function emptyAccountForm(): AccountForm {
  return { phone: '', password: '', confirm: '', role: '', siteId: '' };
}

/** The server's list of common passwords (entity/src/identity/password.rs). */
const COMMON_PASSWORDS = new Set([
  '12345678', '123456789', '1234567890', '87654321', '11111111', '00000000', '88888888',
  '66666666', '12341234', '11223344', 'password', 'password1', 'password123', 'passw0rd',
  'qwertyui', 'qwerty123', '1qaz2wsx', '1q2w3e4r', 'abcd1234', 'abc12345', 'a1234567',
  'iloveyou', 'woaini520', 'woaini1314', '5201314520', '13145200', 'admin123', 'admin888',
  'welcome1', 'aa123456', 'a123456789', 'zxcvbnm1', 'asdfghjk', 'letmein1', '123qweasd',
  'qweasdzxc', 'anju1234', 'xingxianli',
]);

/** What is wrong with a password under the server's policy, or '' when it passes. */
export function passwordProblem(password: string, phone: string): string {
  const chars = [...password];
  if (chars.length < 8) return '密码至少 8 位';
  if (chars.length > 128) return '密码最多 128 位';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || [...lower].every((c) => c === lower[0])) {
    return '密码太常见，请换一个不容易被猜到的';
  }
  const digits = normalizePhone(phone);
  if (digits && password.includes(digits)) return '密码不能包含手机号';
  return '';
}

/**
 * Field -> Chinese message. `callerSiteId` is a site administrator's own site (its accounts
 * are always created there).
 */
export function accountFormProblems(f: AccountForm, caller: Role | null): Record<string, string> {
  const p: Record<string, string> = {};
  if (!f.phone.trim()) p.phone = '请填写手机号';
  else if (!normalizePhone(f.phone)) p.phone = '手机号应为 11 位，以 13–19 开头';
  const pw = passwordProblem(f.password, f.phone);
  if (pw) p.password = pw;
  if (f.confirm !== f.password) p.confirm = '两次输入的密码不一样';
  const roles = creatableRoles(caller);
  if (!f.role) p.role = '请选择角色';
  else if (!roles.includes(f.role)) p.role = '您不能创建这个角色的账号';
  if ((f.role === 'staff' || f.role === 'site_admin') && !f.siteId) p.siteId = '请选择安置点';
  return p;
}

/** The POST body; platform administrators have no site. */
export function accountRequest(f: AccountForm): NewAccountRequest {
  const body: NewAccountRequest = {
    phone: normalizePhone(f.phone) ?? f.phone.trim(),
    password: f.password,
    role: f.role as CreatableRole,
  };
  if (f.role !== 'platform_admin') body.site_id = f.siteId;
  return body;
}

/** Problem codes of this tab that the shared table does not translate yet. */
export const ACCOUNT_PROBLEMS: Readonly<Record<string, string>> = {
  cannot_disable_self: '不能停用或启用自己的账号。',
  phone_or_resident_taken: '这个手机号或这位居民已经有账号了。',
};
