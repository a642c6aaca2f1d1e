import { describe, expect, it } from 'vitest';
import type { Building, Committee, Group, Household } from '@/api/types';
import { buildTree, byName, findNode, householdNodes, pathTo, readAll } from '@/views/registry/tree';

const S = 'site-1';
const c = (id: string, name: string, site = S): Committee => ({ id, site_id: site, name, created_at: '' });
const g = (id: string, committee: string, name: string, site = S): Group => ({
  id,
  site_id: site,
  committee_id: committee,
  name,
  created_at: '',
});
const b = (id: string, group: string, name: string, site = S): Building => ({
  id,
  site_id: site,
  group_id: group,
  name,
  created_at: '',
});
const h = (id: string, label: string, low = false): Household => ({
  id,
  site_id: S,
  group_id: 'g1',
  building_id: 'b1',
  label,
  low_income: low,
  created_at: '',
  updated_at: '',
});

describe('registry tree', () => {
  it('nests buildings under groups under committees, in natural order', () => {
    const roots = buildTree(
      [c('c3', '第三居委会'), c('c1', '第一居委会'), c('c10', '第十居委会'), c('c2', '第二居委会')],
      [g('g10', 'c1', '第一居委会第10组'), g('g2', 'c1', '第一居委会第2组'), g('g1', 'c1', '第一居委会第1组')],
      [b('b10', 'g1', '10号楼'), b('b2', 'g1', '2号楼'), b('b9', 'g2', '9号楼')],
      { siteId: S, hideEmptyCommittees: false },
    );
    expect(roots.map((r) => r.label)).toEqual(['第一居委会', '第二居委会', '第三居委会', '第十居委会']);
    const first = roots[0]!;
    expect(first.sub.map((x) => x.label)).toEqual(['第一居委会第1组', '第一居委会第2组', '第一居委会第10组']);
    expect(first.sub[0]!.sub.map((x) => x.label)).toEqual(['2号楼', '10号楼']);
    expect(first.sub[0]!.sub[0]).toMatchObject({ key: 'building:b2', kind: 'building', leaf: false });
    expect(first.sub[1]!.sub.map((x) => x.key)).toEqual(['building:b9']);
  });

  it('keeps only the site in view and hangs groups of unseen committees under a placeholder', () => {
    const roots = buildTree(
      [c('c1', '第一居委会'), c('cx', '别处居委会', 'other')],
      [g('g1', 'c1', '一组'), g('g9', 'c-unseen', '九组'), g('gx', 'cx', '别处一组', 'other')],
      [b('b1', 'g1', '1号楼'), b('bx', 'gx', '别处楼', 'other')],
      { siteId: S, hideEmptyCommittees: false },
    );
    expect(roots.map((r) => r.key)).toEqual(['committee:c1', 'committee:c-unseen']);
    expect(roots[1]).toMatchObject({ label: '其他居委会', sub: [{ key: 'group:g9' }] });
    expect(JSON.stringify(roots)).not.toContain('别处');
  });

  it('hides committees without visible groups for group leaders only', () => {
    const args = [[c('c1', '一'), c('c2', '二')], [g('g1', 'c1', '一组')], []] as const;
    expect(buildTree(...args, { siteId: S, hideEmptyCommittees: true }).map((r) => r.id)).toEqual(['c1']);
    expect(buildTree(...args, { siteId: S, hideEmptyCommittees: false }).map((r) => r.id)).toEqual(['c1', 'c2']);
  });

  it('sorts a page of households and adds a "load more" node only when there is a next page', () => {
    const nodes = householdNodes('b1', { items: [h('h2', '3-201'), h('h1', '3-1001', true), h('h3', '3-102')], next_cursor: 'CUR' });
    expect(nodes.map((n) => n.label)).toEqual(['3-102', '3-201', '3-1001（低保）', '加载更多户…']);
    expect(nodes.slice(0, 3).every((n) => n.kind === 'household' && n.leaf)).toBe(true);
    expect(nodes[3]).toMatchObject({ kind: 'more', id: 'b1', cursor: 'CUR', leaf: true });
    const keys = new Set(nodes.map((n) => n.key));
    expect(keys.size).toBe(4);
    expect(householdNodes('b1', { items: [h('h1', '1-1')], next_cursor: null }).map((n) => n.kind)).toEqual(['household']);
  });

  it('finds nodes and the path down to them', () => {
    const roots = buildTree([c('c1', '一')], [g('g1', 'c1', '一组')], [b('b1', 'g1', '1号楼')], {
      siteId: S,
      hideEmptyCommittees: false,
    });
    expect(findNode(roots, 'building:b1')?.label).toBe('1号楼');
    expect(findNode(roots, 'building:nope')).toBeNull();
    expect(pathTo(roots, 'building:b1').map((n) => n.label)).toEqual(['一', '一组', '1号楼']);
  });

  it('natural name order reads Chinese numerals', () => {
    const names = ['第十一组', '第二组', '第十组', '第一组', '第二十组', '第九组'];
    expect([...names].sort(byName)).toEqual(['第一组', '第二组', '第九组', '第十组', '第十一组', '第二十组']);
  });

  it('reads every page of a cursor-paged list', async () => {
    const cursors: (string | undefined)[] = [];
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [1, 2], next_cursor: 'p2' },
      p2: { items: [3], next_cursor: 'p3' },
      p3: { items: [4], next_cursor: null },
    };
    const all = await readAll(async (cursor) => {
      cursors.push(cursor);
      return pages[cursor ?? 'start']!;
    });
    expect(all).toEqual([1, 2, 3, 4]);
    expect(cursors).toEqual([undefined, 'p2', 'p3']);
  });
});
