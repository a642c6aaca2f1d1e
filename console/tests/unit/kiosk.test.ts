import { afterEach, describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import { encode } from 'uqr';
import type { Job, JobCategory, SiteBoard } from '@/api/types';
import {
  ageText,
  firstPanel,
  groupByCategory,
  loadCache,
  nextPanel,
  offlineNotice,
  panelSizes,
  salaryText,
  saveCache,
  whenText,
} from '@/kiosk/jobs';
import { jobUrl, phoneIn, qrSvg, readParams, svgDataUrl } from '@/kiosk/link';
import { createRotation } from '@/kiosk/rotation';

function job(id: string, category: JobCategory): Job {
  return {
    id,
    employer_id: 'e',
    title: `岗位${id}`,
    description: '',
    category,
    location: '兴贤里',
    salary_min: 2000,
    salary_max: 3000,
    salary_unit: 'month',
    headcount: 1,
    skills: [],
    suitable_for_disabled: false,
    flexible_hours: false,
    transport_provided: false,
    housing_provided: false,
    contact: '',
    valid_through: '2027-01-01T00:00:00Z',
    status: 'published',
    version: 1,
    created_at: '2026-12-01T00:00:00Z',
  };
}

const SITE = '01a23b7d-d85b-7631-9623-0765aa54e6d9';
const JOB = '01a23ba5-8f09-71e5-9d87-08ac2eb51ed1';

function board(n: number): SiteBoard {
  return {
    site_id: SITE,
    site_name: '兴贤里社区',
    activities: Array.from({ length: n }, (_, i) => ({
      id: `a${i}`,
      title: '招聘会',
      kind: 'job_fair' as const,
      place: '大厅',
      starts_at: '2026-12-06T01:00:00Z',
      ends_at: '2026-12-06T04:00:00Z',
      signup_closes_at: '2026-12-06T01:00:00Z',
      seats_left: 10,
    })),
  };
}

describe('kiosk data', () => {
  afterEach(() => localStorage.clear());

  it('groups jobs under the six categories, keeping order', () => {
    const g = groupByCategory([job('1', 'local'), job('2', 'industry_base'), job('3', 'local')]);
    expect(Object.keys(g)).toEqual([
      'local',
      'work_away',
      'public_welfare',
      'community_workshop',
      'satellite_factory',
      'industry_base',
    ]);
    expect(g.local.map((j) => j.id)).toEqual(['1', '3']);
    expect(g.industry_base).toHaveLength(1);
    expect(g.work_away).toEqual([]);
  });

  it('rotates to the next panel that has entries, the activities last, wrapping around', () => {
    const g = groupByCategory([job('1', 'local'), job('2', 'satellite_factory')]);
    const noBoard = panelSizes(g, null);
    expect(nextPanel('local', noBoard)).toBe('satellite_factory');
    expect(nextPanel('satellite_factory', noBoard)).toBe('local');
    const withBoard = panelSizes(g, board(2));
    expect(withBoard.activities).toBe(2);
    expect(nextPanel('satellite_factory', withBoard)).toBe('activities');
    expect(nextPanel('activities', withBoard)).toBe('local');
    expect(nextPanel('local', panelSizes(groupByCategory([job('1', 'local')]), null))).toBe('local');
    expect(firstPanel(panelSizes(groupByCategory([]), board(1)))).toBe('activities');
    expect(firstPanel(panelSizes(groupByCategory([]), null))).toBe('local');
  });

  it('says since when the data is stale', () => {
    const at = new Date(2026, 11, 3, 9, 5).getTime();
    expect(offlineNotice(at)).toBe('网络中断，显示的是 09:05 的信息');
    expect(offlineNotice(null)).toContain('网络中断');
  });

  it('writes salaries, ages and times in Chinese', () => {
    expect(salaryText({ salary_min: 2000, salary_max: 3000, salary_unit: 'month' })).toBe('2000–3000 元/月');
    expect(salaryText({ salary_min: 150, salary_max: 150, salary_unit: 'day' })).toBe('150 元/天');
    expect(ageText({ age_min: 18, age_max: 45 })).toBe('18–45 岁');
    expect(ageText({ age_min: 18 })).toBe('18 岁以上');
    expect(ageText({ age_max: 50 })).toBe('50 岁以下');
    expect(ageText({})).toBeNull();
    const start = new Date(2026, 11, 5, 9, 0).toISOString();
    const end = new Date(2026, 11, 5, 12, 0).toISOString();
    expect(whenText(start, end)).toBe('12月5日 星期六 09:00–12:00');
  });

  it('keeps the last data per site, with the board', () => {
    saveCache(SITE, { jobs: [job('1', 'local')], board: board(1), at: 42 });
    expect(loadCache(SITE)).toEqual({ jobs: [job('1', 'local')], board: board(1), at: 42 });
    expect(loadCache(null)).toBeNull();
    localStorage.setItem('anju.kiosk.v2.all', '{"jobs": 3}');
    expect(loadCache(null)).toBeNull();
  });
});

describe('kiosk address and QR code', () => {
  it('reads ?site= and ?job= only when they are UUIDs', () => {
    expect(readParams(`?site=${SITE}&job=${JOB.toUpperCase()}`)).toEqual({ site: SITE, job: JOB });
    expect(readParams('?site=xingxianli&job=1')).toEqual({ site: null, job: null });
    expect(readParams('')).toEqual({ site: null, job: null });
  });

  it('builds the phone URL of a job', () => {
    expect(jobUrl('https://anju.example.cn', SITE, JOB)).toBe(
      `https://anju.example.cn/kiosk/?site=${SITE}&job=${JOB}`,
    );
    expect(jobUrl('https://anju.example.cn/', null, JOB)).toBe(`https://anju.example.cn/kiosk/?job=${JOB}`);
  });

  it('encodes the URL in a QR code that a phone reads back', () => {
    const url = jobUrl('https://anju.example.cn', SITE, JOB);
    const svg = qrSvg(url);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svgDataUrl(svg)).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);

    // Decode the same matrix as an image: 4 pixels a module, black on white.
    const { data: matrix } = encode(url, { ecc: 'M', border: 2 });
    const scale = 4;
    const size = matrix.length * scale;
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dark = matrix[Math.floor(y / scale)]?.[Math.floor(x / scale)];
        const v = dark ? 0 : 255;
        rgba.set([v, v, v, 255], (y * size + x) * 4);
      }
    }
    expect(jsQR(rgba, size, size)?.data).toBe(url);
  });

  it('finds a phone number to call in the contact text', () => {
    expect(phoneIn('0398-7812345')).toBe('03987812345');
    expect(phoneIn('王经理 13800138000')).toBe('13800138000');
    expect(phoneIn('到服务中心报名')).toBeNull();
  });
});

describe('kiosk rotation', () => {
  const opts = { idleMs: 60_000, rotateMs: 15_000 };

  it('rotates every rotateMs while nobody touches it', () => {
    const r = createRotation(opts, 0);
    expect(r.tick(14_000)).toBe('none');
    expect(r.tick(15_000)).toBe('next');
    expect(r.tick(16_000)).toBe('none');
    expect(r.tick(30_000)).toBe('next');
  });

  it('holds while a visitor uses it, returns to the rotation 60 s after the last touch', () => {
    const r = createRotation(opts, 0);
    r.touch(10_000);
    expect(r.busy(69_999)).toBe(true);
    for (let t = 11_000; t < 70_000; t += 1_000) expect(r.tick(t)).toBe('none');
    r.touch(40_000); // another touch pushes it back
    expect(r.tick(70_000)).toBe('none');
    expect(r.tick(99_000)).toBe('none');
    expect(r.tick(100_000)).toBe('resume');
    expect(r.tick(101_000)).toBe('none');
    expect(r.tick(115_000)).toBe('next');
  });
});
