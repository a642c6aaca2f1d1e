// RFC 9457 problem documents -> plain Simplified Chinese, through one table keyed by the stable `code`.
// The server's `detail` and the `errors` map are English and never shown as they are; a field's
// `fields[f].message` is shown when it is Chinese (the console asks for zh-CN).

/** Stable problem `code` -> what the user reads. */
export const PROBLEM_MESSAGES: Readonly<Record<string, string>> = {
  // Requests
  malformed_body: '提交的内容格式不对，请刷新页面后重试。',
  invalid_query: '查询条件不正确，请检查后重试。',
  invalid_cursor: '列表已经变化，请重新查询。',
  invalid_header: '请求有误，请刷新页面后重试。',
  validation_failed: '填写的内容有误，请按提示修改。',
  unsupported_media_type: '提交的文件类型不对。',
  payload_too_large: '提交的内容太大，请减小后再试。',
  route_not_found: '系统找不到这个功能，请刷新页面后重试。',
  method_not_allowed: '系统不支持这个操作。',
  idempotency_key_reused: '这次提交与之前的提交冲突，请刷新页面后重试。',
  idempotency_key_in_use: '上一次提交还在处理中，请稍候。',
  // Session
  unauthenticated: '请先登录。',
  invalid_token: '登录已过期，请重新登录。',
  invalid_refresh_token: '登录已过期，请重新登录。',
  invalid_credentials: '手机号或密码不正确。',
  activation_failed: '手机号与身份证信息不匹配，无法激活。',
  sms_code_invalid: '验证码不正确或已过期，请重新输入。',
  sms_code_locked: '验证码输错次数太多，请重新获取验证码。',
  rate_limited: '操作太频繁，请稍后再试。',
  // Access and objects
  forbidden: '您没有权限进行这个操作。',
  not_found: '没有找到这条记录，可能已被删除，或不在您的管理范围内。',
  // Conflicts (409)
  illegal_transition: '当前状态下不能进行这个操作，请刷新后查看最新状态。',
  concurrent_change: '这条记录刚被其他人修改过，请刷新后再操作。',
  stale_version: '这条记录刚被其他人修改过，请刷新后再操作。',
  phone_taken: '这个手机号已被使用。',
  duplicate_id_card: '这个身份证号已经登记过。',
  duplicate_name: '名称重复，请换一个名称。',
  duplicate_label: '户号重复，请检查后再试。',
  activity_full: '活动名额已满。',
  already_signed_up: '已经报过名了。',
  signup_closed: '报名已经截止。',
  capacity_below_confirmed: '名额不能少于已确认报名的人数。',
  waitlist_not_empty: '候补名单中还有人，暂不能这样操作。',
  posting_closed: '这个岗位已经停止招聘。',
  job_not_open: '这个岗位目前不在招聘中。',
  employer_not_verified: '用工单位还没有通过审核。',
  insufficient_points: '积分不足。',
  out_of_stock: '商品库存不足。',
  objection_pending: '还有未处理的异议，暂不能入账。',
  publicity_open: '公示期还没有结束。',
  import_invalid: '导入文件有错误，没有导入任何数据，请按提示修改后重新导入。',
  // Server
  internal: '系统出现内部错误，请稍后再试；如果一直出现，请联系管理员。',
  service_unavailable: '系统暂时不可用，请稍后再试。',
  // Conflicts added later (409)
  duplicate_application: '已经报过这个岗位了。',
  own_claim: '不能认定或登记自己提交的积分申请，请由其他人办理。',
  own_household_claim: '不能认定或登记自家的积分申请，请由其他人办理。',
  valid_through_passed: '岗位有效期已过，请先修改有效期。',
  already_ended: '这段工作已经结束了。',
  activity_over: '活动已经结束，不能再修改。',
  not_confirmed: '只有报名成功的人才能签到，候补或已取消的不能签到。',
  checkin_closed: '不在签到时间内（活动开始前一小时到结束）。',
  cannot_disable_self: '不能停用自己的账号。',
  phone_or_resident_taken: '这个手机号或这位居民已经有账号了。',
  credit_code_taken: '这个统一社会信用代码已经注册过。',
  // Printable sheets' signed links (GET /sheets/{sheet}/{id})
  link_expired: '链接已过期，请重新打印。',
  link_invalid: '链接无效。',
  // WeChat binding, subscription messages, claim photos and push channels
  wechat_not_bound: '请先绑定微信。',
  account_has_wechat: '该账号已绑定其他微信，请先解绑。',
  wechat_bound_elsewhere: '这个微信已绑定其他账号。',
  wechat_code_invalid: '微信登录已失效，请重试。',
  wechat_ticket_invalid: '绑定已超时，请重新登录。',
  claim_closed: '该申请已审核，不能再加照片。',
  push_provider_unavailable: '暂不支持此推送通道。',
};

/** Field names (paths in `errors`) -> their Chinese label. Unknown fields show as they are. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  phone: '手机号',
  password: '密码',
  code: '验证码',
  name: '姓名',
  gender: '性别',
  birth_date: '出生日期',
  id_card_number: '身份证号',
  relation: '与户主关系',
  disability: '残疾',
  disability_level: '残疾等级',
  party_member: '党员',
  low_income: '低保',
  skills: '技能',
  employment_status: '就业状态',
  site_id: '安置点',
  group_id: '居民组',
  building_id: '楼栋',
  household_id: '户',
  resident_id: '居民',
  title: '标题',
  description: '说明',
  category: '岗位类别',
  salary_min: '最低工资',
  salary_max: '最高工资',
  valid_through: '有效期',
  limit: '每页条数',
  cursor: '分页位置',
  quantity: '数量',
  reason: '原因',
  community_name: '社区名称（落款）',
  supervision_phone: '监督电话',
  seal_text: '公章文字',
  template_id: '模板编号',
  fields: '模板字段',
};

/** The server's (English) field messages that have a fixed Chinese equivalent. */
const FIELD_MESSAGES: Readonly<Record<string, string>> = {
  required: '必填',
  'must be HH:MM': '时间格式应为 时:分',
};

export interface FieldProblem {
  /** The field path as the server names it (e.g. `quiet_hours.start`). */
  field: string;
  /** Its Chinese label. */
  label: string;
  /** What is wrong, in Chinese. */
  message: string;
}

export interface TranslatedProblem {
  code: string;
  status: number;
  /** One sentence for the user. */
  message: string;
  /** Per-field messages on validation failures (empty otherwise). */
  fields: FieldProblem[];
}

export const NETWORK_ERROR_MESSAGE = '网络连接失败，请检查网络后重试。';

function genericMessage(code: string): string {
  return code
    ? `操作没有成功，请稍后再试；如果一直出现，请联系管理员（错误代码：${code}）。`
    : '操作没有成功，请稍后再试；如果一直出现，请联系管理员。';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldLabel(field: string): string {
  const exact = FIELD_LABELS[field];
  if (exact) return exact;
  const last = field.split('.').pop() ?? field;
  return FIELD_LABELS[last] ?? field;
}

/**
 * Translates a problem document (or whatever an error response carried) into Chinese.
 * `retryAfter` is the response's `Retry-After` in seconds, if any.
 */
export function translateProblem(
  body: unknown,
  opts: { status?: number; retryAfter?: number | null } = {},
): TranslatedProblem {
  const problem = isRecord(body) ? body : {};
  const code = typeof problem.code === 'string' ? problem.code : '';
  const status =
    typeof problem.status === 'number' ? problem.status : (opts.status ?? 0);

  let message = (code && PROBLEM_MESSAGES[code]) || genericMessage(code);
  if (code === 'rate_limited' && opts.retryAfter && opts.retryAfter > 0) {
    message = `操作太频繁，请 ${opts.retryAfter} 秒后再试。`;
  }

  const fields: FieldProblem[] = [];
  if (isRecord(problem.errors)) {
    for (const [field, raw] of Object.entries(problem.errors)) {
      const text = typeof raw === 'string' ? raw : '';
      fields.push({
        field,
        label: fieldLabel(field),
        message: FIELD_MESSAGES[text] ?? '内容不符合要求',
      });
    }
  }
  preferServerFieldMessages(fields, problem.fields);
  return { code, status, message, fields };
}

/** One line for a message box: the sentence, then each field. */
export function problemText(p: TranslatedProblem): string {
  if (p.fields.length === 0) return p.message;
  return `${p.message}${p.fields.map((f) => `${f.label}：${f.message}`).join('；')}`;
}

/** An API call that answered with an error. */
export class ApiProblemError extends Error {
  readonly problem: TranslatedProblem;
  constructor(problem: TranslatedProblem) {
    super(problemText(problem));
    this.name = 'ApiProblemError';
    this.problem = problem;
  }
}

/** Chinese text for anything an API call may throw. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiProblemError) return e.message;
  if (e instanceof TypeError) return NETWORK_ERROR_MESSAGE; // fetch's network failure
  return genericMessage('');
}

function retryAfterSeconds(response: Response): number | null {
  const v = response.headers.get('Retry-After');
  if (!v) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.ceil(n) : null;
}

/** The shape openapi-fetch answers with. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call: its data, or an {@link ApiProblemError} in Chinese. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    throw new ApiProblemError(
      translateProblem(error, { status: response.status, retryAfter: retryAfterSeconds(response) }),
    );
  }
  return data as T;
}

/**
 * `fields` (newer servers): each field's stable `code` and a `message` in the language the
 * request asked for (the console asks for zh-CN). A Chinese message replaces the one made from
 * `errors`; a field only in `fields` is added. A message without Chinese (an English answer) is
 * not shown: the `errors` translation stays.
 */
function preferServerFieldMessages(fields: FieldProblem[], raw: unknown): void {
  if (!isRecord(raw)) return;
  for (const [field, entry] of Object.entries(raw)) {
    const text = isRecord(entry) && typeof entry.message === 'string' ? entry.message.trim() : '';
    const chinese = /[\u4e00-\u9fff]/.test(text) ? text : '';
    const known = fields.find((f) => f.field === field);
    if (known) {
      if (chinese) known.message = chinese;
    } else {
      fields.push({ field, label: fieldLabel(field), message: chinese || '内容不符合要求' });
    }
  }
}
