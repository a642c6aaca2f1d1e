// The resident dialogs' forms -> ResidentPatch / NewResidentRequest bodies.
import type {
  EmploymentStatus,
  Hours,
  JobPreferences,
  NewResidentRequest,
  Relation,
  Resident,
  ResidentPatch,
  WorkArea,
} from '@/api/types';

/** What the edit dialog shows: the fields of ResidentPatch (the ID number is not editable). */
export interface ResidentForm {
  name: string;
  phone: string;
  relation: Relation | '';
  disability: boolean;
  /** 1–4, or null for none. */
  disabilityLevel: number | null;
  partyMember: boolean;
  /** Skills typed as one line, separated by 、 ; or commas. */
  skillsText: string;
  employmentStatus: EmploymentStatus;
  jobSeeking: boolean;
  area: WorkArea | '';
  hours: Hours | '';
  /** Why (the audit trail keeps it). */
  reason: string;
}

/** The new-resident dialog: the edit form plus the ID number. */
export interface NewResidentForm extends ResidentForm {
  idCardNumber: string;
}

export function emptyResidentForm(): NewResidentForm {
  return {
    name: '',
    phone: '',
    relation: '',
    disability: false,
    disabilityLevel: null,
    partyMember: false,
    skillsText: '',
    employmentStatus: 'unknown',
    jobSeeking: false,
    area: '',
    hours: '',
    reason: '',
    idCardNumber: '',
  };
}

export function formFromResident(r: Resident): ResidentForm {
  return {
    name: r.name,
    phone: r.phone ?? '',
    relation: r.relation ?? '',
    disability: r.disability,
    disabilityLevel: r.disability_level ?? null,
    partyMember: r.party_member,
    skillsText: r.skills.join('、'),
    employmentStatus: r.employment_status,
    jobSeeking: r.job_seeking,
    area: r.job_preferences.area ?? '',
    hours: r.job_preferences.hours ?? '',
    reason: '',
  };
}

/** Skills from the typed line: split on 、 ; ； , ， and line breaks, trimmed, without repeats. */
export function parseSkills(text: string): string[] {
  const out: string[] = [];
  for (const s of text.split(/[、;；,，\r\n]/)) {
    const t = s.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * A mainland mobile number reduced to its 11 digits, as the server reads it (spaces, hyphens and
 * a +86/0086/86 prefix tolerated), or null if it is not one.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '');
  let digits = compact;
  if (compact.startsWith('+86')) digits = compact.slice(3);
  else if (compact.length === 15 && compact.startsWith('0086')) digits = compact.slice(4);
  else if (compact.length === 13 && compact.startsWith('86')) digits = compact.slice(2);
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

function preferences(f: ResidentForm): JobPreferences {
  const p: JobPreferences = {};
  if (f.area) p.area = f.area;
  if (f.hours) p.hours = f.hours;
  return p;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Field -> Chinese message for what the form cannot send (empty when it can). */
export function residentFormProblems(f: ResidentForm): Record<string, string> {
  const p: Record<string, string> = {};
  const name = f.name.trim();
  if (!name) p.name = '请填写姓名';
  else if ([...name].length > 50) p.name = '姓名最多 50 个字';
  if (f.phone.trim() && !normalizePhone(f.phone)) p.phone = '手机号应为 11 位，以 13–19 开头';
  if (f.disabilityLevel !== null) {
    if (!f.disability) p.disabilityLevel = '有残疾时才能填写残疾等级';
    else if (![1, 2, 3, 4].includes(f.disabilityLevel)) p.disabilityLevel = '残疾等级为 1–4 级';
  }
  const skills = parseSkills(f.skillsText);
  if (skills.some((s) => [...s].length > 30)) p.skillsText = '每项技能最多 30 个字';
  else if (skills.length > 30) p.skillsText = '技能最多填 30 项';
  return p;
}

/**
 * The PATCH body: only what changed (absent fields stay as they are; `null` clears a nullable
 * one). Returns null when nothing changed.
 */
export function residentPatch(original: Resident, f: ResidentForm): ResidentPatch | null {
  const patch: ResidentPatch = {};
  const name = f.name.trim();
  if (name !== original.name) patch.name = name;
  const phone = f.phone.trim() ? normalizePhone(f.phone) : null;
  if (phone !== (original.phone ?? null)) patch.phone = phone;
  const relation = f.relation || null;
  if (relation !== (original.relation ?? null)) patch.relation = relation;
  if (f.disability !== original.disability) patch.disability = f.disability;
  const level = f.disability ? f.disabilityLevel : null;
  if (level !== (original.disability_level ?? null)) patch.disability_level = level;
  if (f.partyMember !== original.party_member) patch.party_member = f.partyMember;
  const skills = parseSkills(f.skillsText);
  if (!sameList(skills, original.skills)) patch.skills = skills;
  if (f.employmentStatus !== original.employment_status) patch.employment_status = f.employmentStatus;
  if (f.jobSeeking !== original.job_seeking) patch.job_seeking = f.jobSeeking;
  const prefs = preferences(f);
  if (prefs.area !== original.job_preferences.area || prefs.hours !== original.job_preferences.hours) {
    patch.job_preferences = prefs;
  }
  if (Object.keys(patch).length === 0) return null;
  const reason = f.reason.trim();
  if (reason) patch.reason = reason;
  return patch;
}

/** The POST body of a new resident; gender and birth date come from the ID number on the server. */
export function newResidentRequest(householdId: string, f: NewResidentForm): NewResidentRequest {
  const body: NewResidentRequest = {
    household_id: householdId,
    name: f.name.trim(),
    id_card_number: f.idCardNumber.trim().toUpperCase(),
    disability: f.disability,
    party_member: f.partyMember,
    skills: parseSkills(f.skillsText),
    employment_status: f.employmentStatus,
    job_seeking: f.jobSeeking,
    job_preferences: preferences(f),
  };
  const phone = f.phone.trim() ? normalizePhone(f.phone) : null;
  if (phone) body.phone = phone;
  if (f.relation) body.relation = f.relation;
  if (f.disability && f.disabilityLevel !== null) body.disability_level = f.disabilityLevel;
  return body;
}
