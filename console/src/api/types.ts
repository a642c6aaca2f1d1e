// Short names for the generated schema types (src/api/schema.d.ts, from ../openapi/openapi.json).
// Everything the console shows is typed from the contract: a breaking change fails `npm run typecheck`.
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type { paths };
export type Role = Schemas['Role'];
export type Me = Schemas['Me'];
export type TokenResponse = Schemas['TokenResponse'];
export type CodeSent = Schemas['CodeSent'];
export type Problem = Schemas['Problem'];
export type Resident = Schemas['Resident'];
export type Household = Schemas['Household'];
export type Building = Schemas['Building'];
export type Group = Schemas['Group'];
export type Job = Schemas['Job'];
export type JobCategory = Schemas['JobCategory'];
export type EmploymentStatus = Schemas['EmploymentStatus'];
export type Gender = Schemas['Gender'];
export type Relation = Schemas['Relation'];
export type SalaryUnit = Schemas['SalaryUnit'];
export type WorkArea = Schemas['WorkArea'];
export type Hours = Schemas['Hours'];
export type Site = Schemas['Site'];
// Screens add the aliases they use below, one line each, in their own section.

/** Query parameters of `GET /api/v1/residents`, as the contract defines them. */
export type ResidentQuery = NonNullable<paths['/api/v1/residents']['get']['parameters']['query']>;
/** Query parameters of `GET /api/v1/jobs`. */
export type JobQuery = NonNullable<paths['/api/v1/jobs']['get']['parameters']['query']>;

// Recruitment and activities (src/views/recruitment, src/views/activities).
export type Activity = Schemas['Activity'];
export type ActivityKind = Schemas['ActivityKind'];
export type ActivityPatch = Schemas['ActivityPatch'];
export type ActivityQuery = NonNullable<paths['/api/v1/activities']['get']['parameters']['query']>;
export type ActivityRequest = Schemas['ActivityRequest'];
export type Application = Schemas['Application'];
export type ApplicationStatus = Schemas['ApplicationStatus'];
export type CheckInRequest = Schemas['CheckInRequest'];
export type Employer = Schemas['Employer'];
export type EmployerStatus = Schemas['EmployerStatus'];
export type Employment = Schemas['Employment'];
export type EmploymentReport = Schemas['EmploymentReport'];
export type GroupFigures = Schemas['GroupFigures'];
export type HouseholdBelowTarget = Schemas['HouseholdBelowTarget'];
export type JobStatus = Schemas['JobStatus'];
export type PointsCategoryView = Schemas['CategoryView'];
export type Signup = Schemas['Signup'];
export type SignupStatus = Schemas['SignupStatus'];

// Registry and admin screens (src/views/registry, src/views/admin).
/** An account as `GET /api/v1/accounts` lists it. */
export type AccountItem = Schemas['StaffAccount'];
/** Query parameters of `GET /api/v1/accounts`. */
export type AccountQuery = NonNullable<paths['/api/v1/accounts']['get']['parameters']['query']>;
export type AuditEvent = Schemas['Paginated_AuditEvent']['items'][number];
export type Committee = Schemas['Committee'];
export type Delivery = Schemas['Delivery'];
export type DeliveryState = Schemas['DeliveryState'];
export type HouseholdDetail = Schemas['HouseholdDetail'];
export type HouseholdPatch = Schemas['HouseholdPatch'];
export type ImportReport = Schemas['ImportReport'];
export type JobPreferences = Schemas['JobPreferences'];
export type NewAccountRequest = Schemas['NewAccountRequest'];
export type NewResidentRequest = Schemas['NewResidentRequest'];
export type Partner = Schemas['Partner'];
export type PartnerRequest = Schemas['PartnerRequest'];
export type PartnerScope = Schemas['PartnerScope'];
export type PartnerWithSecrets = Schemas['PartnerWithSecrets'];
export type ResidentPatch = Schemas['ResidentPatch'];
export type ResidentSummary = Schemas['ResidentSummary'];
export type RowProblem = Schemas['RowProblem'];

// Points, store and broadcasts (src/views/points, src/views/store, src/views/broadcasts).
export type BroadcastAccepted = Schemas['BroadcastAccepted'];
export type BroadcastAudience = Schemas['BroadcastAudience'];
export type BroadcastRequest = Schemas['BroadcastRequest'];
export type Campaign = Schemas['Campaign'];
export type CampaignRequest = Schemas['CampaignRequest'];
export type Claim = Schemas['Claim'];
export type ClaimPhoto = Schemas['Photo'];
export type ClaimRequest = Schemas['ClaimRequest'];
export type ClaimStatus = Schemas['ClaimStatus'];
export type ClaimStep = Schemas['Step'];
export type EntryKind = Schemas['EntryKind'];
export type ItemRequest = Schemas['ItemRequest'];
export type LedgerEntry = Schemas['Entry'];
export type PointsAccount = Schemas['PointsAccount'];
export type PointsCategory = Schemas['Category'];
export type PointsReport = Schemas['PointsReport'];
export type Redemption = Schemas['Redemption'];
export type RedemptionStatus = Schemas['RedemptionStatus'];
export type StoreItem = Schemas['Item'];

// Service desk and job kiosk (src/views/service-desk, src/kiosk).
export type BoardActivity = Schemas['BoardActivity'];
export type Notification = Schemas['Notification'];
export type SiteBoard = Schemas['SiteBoard'];

// Points objections and check-in results (src/views/points, src/views/activities).
export type CheckInResult = Schemas['CheckInResult'];
export type Objection = Schemas['Objection'];
export type ObjectionStatus = NonNullable<
  NonNullable<paths['/api/v1/points/objections']['get']['parameters']['query']>['status']
>;

// Broadcasts sent and their outcomes (src/views/broadcasts).
export type AudienceSize = Schemas['AudienceSize'];
export type ChannelOutcome = Schemas['ChannelOutcome'];
export type SentBroadcast = Schemas['SentBroadcast'];

// Exports, printable sheets and site settings (src/api/download.ts, src/api/sheets.ts, src/views/admin).
/** Query parameters of `GET /api/v1/residents/export` (the list's filters and `format`). */
export type ResidentExportQuery = NonNullable<paths['/api/v1/residents/export']['get']['parameters']['query']>;
export type SheetKind = Schemas['SheetKind'];
export type SheetLink = Schemas['SheetLink'];
export type SiteSettings = Schemas['SiteSettings'];
export type SiteSettingsRequest = Schemas['SiteSettingsRequest'];

// WeChat binding, voice notices and subscription-message templates (src/views/registry, src/views/admin).
export type Fact = Schemas['Fact'];
export type NoticeKind = Schemas['NoticeKind'];
export type UnbindRequest = Schemas['UnbindRequest'];
export type VoiceMark = Schemas['VoiceMark'];
export type VoiceReason = Schemas['VoiceReason'];
export type WeChatTemplate = Schemas['WeChatTemplate'];
export type WeChatTemplateRequest = Schemas['WeChatTemplateRequest'];
