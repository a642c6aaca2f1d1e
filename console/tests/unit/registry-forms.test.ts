import { describe, expect, it } from 'vitest';
import type { Resident } from '@/api/types';
import { checkIdCard, chinaToday, idCardCheckCharacter, isRealDate } from '@/views/registry/idcard';
import {
  emptyResidentForm,
  formFromResident,
  newResidentRequest,
  normalizePhone,
  parseSkills,
  residentFormProblems,
  residentPatch,
} from '@/views/registry/residentForm';

function resident(over: Partial<Resident> = {}): Resident {
  return {
    id: 'r1',
    site_id: 's',
    group_id: 'g',
    building_id: 'b',
    household_id: 'h',
    name: '陈明',
    gender: 'male',
    age: 26,
    birth_date: '2000-03-25',
    phone: '19900381708',
    id_card_number: '4****************9',
    relation: 'head',
    disability: false,
    disability_level: null,
    party_member: false,
    skills: ['电工'],
    employment_status: 'unknown',
    job_seeking: false,
    job_preferences: { area: 'local_only' },
    created_at: '',
    updated_at: '',
    ...over,
  };
}

describe('ID numbers', () => {
  it('computes the MOD 11-2 check character', () => {
    expect(idCardCheckCharacter('11010519491231002')).toBe('X');
    expect(idCardCheckCharacter('41122419800501001')).toBe('X');
  });

  it('accepts a valid number and reads birth date and gender from it', () => {
    expect(checkIdCard(' 11010519491231002x ', '2026-12-03')).toEqual({
      ok: true,
      number: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'female',
    });
    expect(checkIdCard('41122419800501001X', '2026-12-03')).toMatchObject({ ok: true, gender: 'male' });
  });

  it('refuses wrong length, wrong check character, region 0, impossible or future dates', () => {
    const msg = (v: string) => {
      const r = checkIdCard(v, '2026-12-03');
      return r.ok ? '' : r.message;
    };
    expect(msg('41122419800501001')).toContain('18 位');
    expect(msg('411224198005010010')).toContain('校验位');
    const first17 = '01122419800501001';
    expect(msg(first17 + idCardCheckCharacter(first17))).toContain('地区码');
    const feb30 = '41122419800230001';
    expect(msg(feb30 + idCardCheckCharacter(feb30))).toContain('出生日期');
    const future = '41122420300101001';
    expect(msg(future + idCardCheckCharacter(future))).toContain('出生日期');
  });

  it('knows real dates and China’s today', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2023-02-29')).toBe(false);
    expect(chinaToday(new Date('2026-12-02T17:00:00Z'))).toBe('2026-12-03');
  });
});

describe('resident forms', () => {
  it('normalises mobile numbers as the server does', () => {
    expect(normalizePhone('139 1234-5678')).toBe('13912345678');
    expect(normalizePhone('+8613912345678')).toBe('13912345678');
    expect(normalizePhone('008613912345678')).toBe('13912345678');
    expect(normalizePhone('8613912345678')).toBe('13912345678');
    expect(normalizePhone('12912345678')).toBeNull();
    expect(normalizePhone('1391234567')).toBeNull();
  });

  it('splits skills on the separators people type and drops repeats', () => {
    expect(parseSkills(' 电焊、厨师;电焊 ；叉车，驾驶\n缝纫 ')).toEqual(['电焊', '厨师', '叉车', '驾驶', '缝纫']);
    expect(parseSkills('')).toEqual([]);
  });

  it('sends only what changed, with null to clear', () => {
    const r = resident();
    const f = formFromResident(r);
    expect(residentPatch(r, f)).toBeNull();

    f.phone = '';
    f.relation = '';
    f.skillsText = '电工、焊工';
    f.area = '';
    f.hours = 'part_time';
    f.reason = ' 入户核实 ';
    expect(residentPatch(r, f)).toEqual({
      phone: null,
      relation: null,
      skills: ['电工', '焊工'],
      job_preferences: { hours: 'part_time' },
      reason: '入户核实',
    });
  });

  it('clears the disability level with the disability and does not send a reason alone', () => {
    const r = resident({ disability: true, disability_level: 2 });
    const f = formFromResident(r);
    f.reason = '只填了原因';
    expect(residentPatch(r, f)).toBeNull();
    f.disability = false;
    expect(residentPatch(r, f)).toEqual({ disability: false, disability_level: null, reason: '只填了原因' });
  });

  it('checks name, phone, level and skills before sending', () => {
    const f = emptyResidentForm();
    expect(residentFormProblems(f)).toEqual({ name: '请填写姓名' });
    f.name = '张三';
    f.phone = '1234';
    f.disabilityLevel = 2;
    f.skillsText = 'x'.repeat(31);
    const p = residentFormProblems(f);
    expect(Object.keys(p).sort()).toEqual(['disabilityLevel', 'phone', 'skillsText']);
    f.disability = true;
    f.phone = '13912345678';
    f.skillsText = '电焊';
    expect(residentFormProblems(f)).toEqual({});
  });

  it('builds a new resident without gender or birth date (the server reads them from the ID)', () => {
    const f = { ...emptyResidentForm(), name: ' 测试人 ', idCardNumber: '41122419800501001x', phone: '139 1234 5678', skillsText: '电焊', disabilityLevel: 3 };
    expect(newResidentRequest('h1', f)).toEqual({
      household_id: 'h1',
      name: '测试人',
      id_card_number: '41122419800501001X',
      phone: '13912345678',
      disability: false,
      party_member: false,
      skills: ['电焊'],
      employment_status: 'unknown',
      job_seeking: false,
      job_preferences: {},
    });
  });
});
