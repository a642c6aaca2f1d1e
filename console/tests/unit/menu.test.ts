import { describe, expect, it } from 'vitest';
import { AREAS, canAccess, menuFor } from '@/router/areas';

const titles = (role: Parameters<typeof menuFor>[0]) => menuFor(role).map((a) => a.title);

describe('menu filtering by role', () => {
  it('lists the eight areas in order', () => {
    expect(AREAS.map((a) => a.title)).toEqual([
      '服务台',
      '居民档案',
      '就业招聘',
      '活动管理',
      '积分管理',
      '积分超市',
      '通知公告',
      '系统管理',
    ]);
  });

  it('gives administrators everything, staff all but administration, leaders their three', () => {
    expect(titles('platform_admin')).toHaveLength(8);
    expect(titles('site_admin')).toHaveLength(8);
    expect(titles('staff')).not.toContain('系统管理');
    expect(titles('staff')).toHaveLength(7);
    expect(titles('group_leader')).toEqual(['服务台', '居民档案', '积分管理']);
  });

  it('gives employers no area', () => {
    expect(titles('employer')).toEqual([]);
  });

  it('gives residents, partners and nobody no menu', () => {
    expect(titles('resident')).toEqual([]);
    expect(titles('partner')).toEqual([]);
    expect(titles(null)).toEqual([]);
  });

  it('lets any signed-in role through a route without roles, and nobody when signed out', () => {
    expect(canAccess('resident', undefined)).toBe(true);
    expect(canAccess(null, undefined)).toBe(false);
    expect(canAccess('employer', ['staff'])).toBe(false);
  });
});
