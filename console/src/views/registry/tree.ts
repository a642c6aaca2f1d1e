// The site's structure as the registry's tree: committee -> group -> building -> household.
// Committees, groups and buildings are few (3, 30, 83 at Xingxianli) and are read whole; households
// are read per building, a page at a time, when the building is opened.
import type { Building, Committee, Group, Household } from '@/api/types';

export type NodeKind = 'committee' | 'group' | 'building' | 'household' | 'more';

export interface TreeNode {
  /** Unique in the tree: `<kind>:<id>`. */
  key: string;
  kind: NodeKind;
  /** The object's id; for a `more` node, the building whose next page it loads. */
  id: string;
  label: string;
  /** No arrow: households and `more` nodes. */
  leaf: boolean;
  /** Children known up front (committees, groups, buildings); households are loaded. */
  sub: TreeNode[];
  /** For `more`: the cursor of the next page. */
  cursor?: string;
  /** For households: low-income (低保). */
  lowIncome?: boolean;
}

const collator = new Intl.Collator('zh-CN', { numeric: true });
const DIGITS = '零一二三四五六七八九';

/** A run of Chinese numerals up to 99 (一, 十, 十二, 二十, 二十三) as a number. */
function chineseNumber(run: string): number {
  const ten = run.indexOf('十');
  if (ten < 0) return DIGITS.indexOf(run);
  const tens = ten === 0 ? 1 : DIGITS.indexOf(run[0] as string);
  const ones = ten === run.length - 1 ? 0 : DIGITS.indexOf(run[ten + 1] as string);
  return tens * 10 + ones;
}

/** Chinese numerals as digits, so that 第二 sorts before 第十一. */
function sortable(s: string): string {
  return s.replace(/[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]/g, (m) =>
    String(chineseNumber(m)),
  );
}

/** Natural order: "2号楼" before "10号楼", "第二居委会" before "第十居委会". */
export function byName(a: string, b: string): number {
  return collator.compare(sortable(a), sortable(b));
}

export function nodeKey(kind: NodeKind, id: string): string {
  return `${kind}:${id}`;
}

function node(kind: NodeKind, id: string, label: string, sub: TreeNode[] = []): TreeNode {
  return { key: nodeKey(kind, id), kind, id, label, leaf: kind === 'household' || kind === 'more', sub };
}

export interface StructureOptions {
  /** Keep only objects of this site (platform administrators read every site's groups). */
  siteId: string;
  /** Leave out committees with no group the caller may see (group leaders). */
  hideEmptyCommittees: boolean;
}

/**
 * Builds the committee/group/building levels. A group whose committee is not in `committees`
 * (out of the caller's reach) hangs under a node for that committee id labelled "其他居委会",
 * so nothing the server answered is dropped.
 */
export function buildTree(
  committees: readonly Committee[],
  groups: readonly Group[],
  buildings: readonly Building[],
  opts: StructureOptions,
): TreeNode[] {
  const inSite = <T extends { site_id: string }>(xs: readonly T[]) =>
    xs.filter((x) => x.site_id === opts.siteId);

  const buildingsByGroup = new Map<string, TreeNode[]>();
  for (const b of [...inSite(buildings)].sort((x, y) => byName(x.name, y.name))) {
    const list = buildingsByGroup.get(b.group_id) ?? [];
    list.push(node('building', b.id, b.name));
    buildingsByGroup.set(b.group_id, list);
  }

  const roots = new Map<string, TreeNode>();
  for (const c of [...inSite(committees)].sort((x, y) => byName(x.name, y.name))) {
    roots.set(c.id, node('committee', c.id, c.name));
  }
  for (const g of [...inSite(groups)].sort((x, y) => byName(x.name, y.name))) {
    let parent = roots.get(g.committee_id);
    if (!parent) {
      parent = node('committee', g.committee_id, '其他居委会');
      roots.set(g.committee_id, parent);
    }
    parent.sub.push(node('group', g.id, g.name, buildingsByGroup.get(g.id) ?? []));
  }
  const list = [...roots.values()];
  return opts.hideEmptyCommittees ? list.filter((c) => c.sub.length > 0) : list;
}

/** The label a household shows in the tree. */
export function householdLabel(h: Pick<Household, 'label' | 'low_income'>): string {
  return h.low_income ? `${h.label}（低保）` : h.label;
}

/** One page of a building's households as tree nodes, with a "加载更多" node if there is more. */
export function householdNodes(
  buildingId: string,
  page: { items: readonly Household[]; next_cursor?: string | null },
): TreeNode[] {
  // Pages come in id order; within a page, the labels' natural order reads better.
  const sorted = [...page.items].sort((a, b) => byName(a.label, b.label));
  const nodes: TreeNode[] = sorted.map((h) => ({
    ...node('household', h.id, householdLabel(h)),
    lowIncome: h.low_income,
  }));
  if (page.next_cursor) {
    nodes.push({
      ...node('more', `${buildingId}:${page.next_cursor}`, '加载更多户…'),
      id: buildingId,
      cursor: page.next_cursor,
    });
  }
  return nodes;
}

/** Finds a node of the prebuilt levels by key. */
export function findNode(roots: readonly TreeNode[], key: string): TreeNode | null {
  for (const n of roots) {
    if (n.key === key) return n;
    const hit = findNode(n.sub, key);
    if (hit) return hit;
  }
  return null;
}

/** The chain of labels from the committee down to `key` (for the panel's heading). */
export function pathTo(roots: readonly TreeNode[], key: string): TreeNode[] {
  for (const n of roots) {
    if (n.key === key) return [n];
    const rest = pathTo(n.sub, key);
    if (rest.length) return [n, ...rest];
  }
  return [];
}

/** Reads every page of a list the server pages by cursor (bounded, for the small lists). */
export async function readAll<T>(
  page: (cursor?: string) => Promise<{ items: T[]; next_cursor?: string | null }>,
  maxPages = 50,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const p = await page(cursor);
    all.push(...p.items);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  return all;
}
