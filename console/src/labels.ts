// Chinese labels for the contract's enums. Typed by the schema: a new enum value fails typecheck.
import type {
  ActivityKind,
  ApplicationStatus,
  EmployerStatus,
  EmploymentStatus,
  Gender,
  Hours,
  JobCategory,
  JobStatus,
  Relation,
  Role,
  SalaryUnit,
  SignupStatus,
  WorkArea,
} from '@/api/types';

export const ROLE_LABELS: Record<Role, string> = {
  resident: '居民',
  group_leader: '居民组长',
  staff: '工作人员',
  site_admin: '安置点管理员',
  platform_admin: '平台管理员',
  employer: '用工单位',
  partner: '合作系统',
};

export const GENDER_LABELS: Record<Gender, string> = { male: '男', female: '女' };

export const RELATION_LABELS: Record<Relation, string> = {
  head: '户主',
  spouse: '配偶',
  child: '子女',
  parent: '父母',
  other: '其他',
};

export const EMPLOYMENT_STATUS_LABELS: Record<EmploymentStatus, string> = {
  unknown: '未登记',
  employed: '已就业',
  self_employed: '自主创业/灵活就业',
  unemployed: '未就业',
  student: '在校学生',
  retired: '退休',
  unable_to_work: '无劳动能力',
};

export const WORK_AREA_LABELS: Record<WorkArea, string> = {
  local_only: '只在本地',
  willing_to_work_away: '愿意外出务工',
};

export const HOURS_LABELS: Record<Hours, string> = {
  full_time: '全职',
  part_time: '兼职',
  flexible: '时间灵活',
};

/** The six recruitment channels, in the order the kiosk shows them. */
export const JOB_CATEGORIES: readonly JobCategory[] = [
  'local',
  'work_away',
  'public_welfare',
  'community_workshop',
  'satellite_factory',
  'industry_base',
];

export const JOB_CATEGORY_LABELS: Record<JobCategory, string> = {
  local: '本地就业',
  work_away: '外出务工',
  public_welfare: '公益岗位',
  community_workshop: '扶贫车间',
  satellite_factory: '卫星工厂',
  industry_base: '产业基地',
};

export const SALARY_UNIT_LABELS: Record<SalaryUnit, string> = {
  hour: '小时',
  day: '天',
  month: '月',
  piece: '件',
};

// Recruitment and activities.
export const EMPLOYER_STATUS_LABELS: Record<EmployerStatus, string> = {
  pending: '待审核',
  verified: '已通过',
  rejected: '未通过',
  suspended: '已暂停',
};

export const JOB_STATUS_LABELS: Record<JobStatus, string> = {
  draft: '草稿',
  pending_review: '待审核',
  published: '招聘中',
  closed: '已关闭',
  filled: '已招满',
  expired: '已过期',
};

export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = {
  submitted: '已报名',
  viewed: '单位已查看',
  interviewing: '面试中',
  offered: '拟录用',
  hired: '已录用',
  not_selected: '未录用',
  withdrawn: '已撤回',
};

export const ACTIVITY_KIND_LABELS: Record<ActivityKind, string> = {
  training: '技能培训',
  lecture: '讲座',
  performance: '文艺演出',
  volunteer_service: '志愿服务',
  job_fair: '招聘会',
  screening: '电影放映',
  sports: '体育活动',
};

export const SIGNUP_STATUS_LABELS: Record<SignupStatus, string> = {
  confirmed: '已报名',
  waitlisted: '候补',
  cancelled: '已取消',
  attended: '已签到',
  no_show: '未到场',
};

// Registry and admin screens (src/views/registry, src/views/admin).
import type { DeliveryState, PartnerScope } from '@/api/types';

/** Audit `action`s the server records; an action not listed here shows as it is. */
export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  'account.create': '创建账号',
  'account.disable': '停用账号',
  'account.enable': '启用账号',
  'activity.cancel': '取消活动',
  'activity.capacity': '调整活动名额',
  'activity.create': '创建活动',
  'activity.edit': '修改活动',
  'activity.signup': '代为报名活动',
  'application.submit': '代为投递简历',
  'broadcast.send': '发送通知',
  'building.create': '新建楼栋',
  'committee.create': '新建居委会',
  'employer.reject': '驳回用工单位',
  'employer.reset': '重置用工单位审核',
  'employer.suspend': '暂停用工单位',
  'employer.verify': '审核通过用工单位',
  'employment.end': '结束就业记录',
  'employment.record': '登记就业',
  'group.appoint_leader': '任命居民组长',
  'group.create': '新建居民组',
  'household.create': '新建户',
  'household.update': '修改户信息',
  'job.close': '关闭岗位',
  'job.edit': '修改岗位',
  'job.expire': '岗位到期',
  'job.fill': '岗位招满',
  'job.publish': '发布岗位',
  'job.reject': '退回岗位',
  'job.renew': '岗位延期',
  'job.submit': '提交岗位审核',
  'partner.create': '新建合作系统',
  'partner.delivery_resend': '重发推送',
  'partner.job_close': '合作系统关闭岗位',
  'partner.job_create': '合作系统新增岗位',
  'partner.job_update': '合作系统更新岗位',
  'partner.rotate_secrets': '更换合作系统密钥',
  'points.category_range': '调整积分分值范围',
  'points.credit': '积分入账',
  'points.deduct': '扣减积分',
  'resident.create': '登记居民',
  'resident.import': '导入居民',
  'resident.print_activation_code': '打印激活码',
  'resident.reveal_id_card': '查看完整身份证号',
  'resident.update': '修改居民信息',
  'site.create': '新建安置点',
};

/** Audit `target_type`s; a type not listed here shows as it is. */
export const AUDIT_TARGET_LABELS: Readonly<Record<string, string>> = {
  account: '账号',
  activity: '活动',
  application: '求职申请',
  building: '楼栋',
  claim: '积分申请',
  committee: '居委会',
  employer: '用工单位',
  employment: '就业记录',
  group: '居民组',
  household: '户',
  job: '岗位',
  partner: '合作系统',
  partner_delivery: '推送记录',
  resident: '居民',
  site: '安置点',
};

export const DELIVERY_STATE_LABELS: Record<DeliveryState, string> = {
  pending: '待推送',
  delivered: '已送达',
  failed: '失败（已停止重试）',
};

export const PARTNER_SCOPE_LABELS: Record<PartnerScope, string> = {
  'jobs:write': '推送岗位',
  'jobs:read': '读取岗位',
  webhooks: '接收岗位推送',
};

// Points, store and broadcasts.
import type { ClaimStatus, EntryKind, PointsCategory, RedemptionStatus } from '@/api/types';

/** The seven categories (七大载体); the server's `title` says the same. */
export const POINTS_CATEGORY_LABELS: Record<PointsCategory, string> = {
  policy_savvy: '争当政策明白人',
  entrepreneurship: '争当创业致富人',
  caring_neighbour: '争当群众知心人',
  public_welfare: '争当公益热心人',
  bravery: '争当见义勇为者',
  environment: '争当环境爱护者',
  civility: '争当文明先行者',
};

export const CLAIM_STATUS_LABELS: Record<ClaimStatus, string> = {
  applied: '待认定',
  verified: '待登记',
  registered: '待公示',
  publicized: '公示中',
  credited: '已入账',
  rejected: '已驳回',
};

export const ENTRY_KIND_LABELS: Record<EntryKind, string> = {
  credit: '积分入账',
  redemption: '兑换商品',
  refund: '兑换退回',
  deduction: '扣分',
  correction: '更正',
};

export const REDEMPTION_STATUS_LABELS: Record<RedemptionStatus, string> = {
  pending: '待领取',
  fulfilled: '已领取',
  cancelled: '已取消',
};

// Points objections (src/views/points).
import type { ObjectionStatus } from '@/api/types';

export const OBJECTION_STATUS_LABELS: Record<ObjectionStatus, string> = {
  pending: '待处理',
  upheld: '已支持',
  dismissed: '已驳回',
};

// WeChat subscription messages and voice notices (src/views/admin, src/views/registry).
import type { Fact, NoticeKind, VoiceReason } from '@/api/types';

/** Why a resident gets a phone call with the important notices. */
export const VOICE_REASON_LABELS: Record<VoiceReason, string> = {
  elderly: '老年人',
  low_vision: '视力不好',
  no_smartphone: '没有智能手机',
  other: '其他原因',
};

/** The kinds of notice a site sets a subscription-message template for, in the order shown. */
export const NOTICE_KIND_LABELS: Record<NoticeKind, string> = {
  seat_offered: '候补成功通知',
  application_status: '求职进展通知',
  interview: '面试通知',
  claim_result: '积分结果通知',
  activity_reminder: '活动提醒',
};

/** What fills a template field. */
export const FACT_LABELS: Record<Fact, string> = {
  subject: '活动/岗位名称',
  time: '时间',
  place: '地点',
  status: '结果',
  amount: '数量',
  title: '标题',
  note: '通知内容',
};
