import { describe, expect, it } from 'vitest';
import { emptyFilters, PAGE_SIZE, residentQuery, searchText } from '@/views/service-desk/query';

describe('service desk query', () => {
  it('sends only the filters that are set, and the cursor for the next page', () => {
    expect(residentQuery(emptyFilters())).toEqual({ limit: PAGE_SIZE });
    const f = { ...emptyFilters(), buildingId: 'b1', workingAge: true, employmentStatus: 'unemployed' as const };
    expect(residentQuery(f, 'c2')).toEqual({
      limit: PAGE_SIZE,
      building_id: 'b1',
      working_age: true,
      employment_status: 'unemployed',
      cursor: 'c2',
    });
  });

  it('sends the search box as q, and the picked site for platform administrators', () => {
    expect(residentQuery({ ...emptyFilters(), text: '  张秀英 ' })).toEqual({ limit: PAGE_SIZE, q: '张秀英' });
    expect(residentQuery({ ...emptyFilters(), text: '   ' })).toEqual({ limit: PAGE_SIZE });
    expect(residentQuery({ ...emptyFilters(), text: '002x' }, null, 's1')).toEqual({
      limit: PAGE_SIZE,
      q: '002x',
      site_id: 's1',
    });
  });

  it('turns a number typed with spaces or +86 into its digits, and leaves the rest alone', () => {
    expect(searchText('138 0013 8000')).toBe('13800138000');
    expect(searchText('+86 138 0013 8000')).toBe('13800138000');
    expect(searchText('8613800138000')).toBe('13800138000');
    expect(searchText(' 1234 ')).toBe('1234');
    expect(searchText('3-201')).toBe('3-201');
    expect(searchText('5号楼')).toBe('5号楼');
    expect(searchText('王 芳')).toBe('王 芳');
  });
});
