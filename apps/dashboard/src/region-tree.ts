import type { Region, RegionBalance } from './api';

/** One node of 省 → 市(州) → 区/县: the registry's region and the API's balance, if it holds money. */
export interface RegionNode {
  readonly region: Region;
  readonly balance: RegionBalance | null;
  readonly children: readonly RegionNode[];
}

/**
 * The registry as a tree under its province: each 市(州) with its 区/县, the 扩权县 among them
 * (`directFromProvince`) listed under their 市 as the registry places them. Balances are attached
 * as the API gave them; nothing is summed here.
 */
export function buildRegionTree(regions: readonly Region[], balances: readonly RegionBalance[]): RegionNode | null {
  const byParent = new Map<string, Region[]>();
  for (const region of regions) {
    if (region.parentCode === null) continue;
    byParent.set(region.parentCode, [...(byParent.get(region.parentCode) ?? []), region]);
  }
  const balanceOf = new Map(balances.map((balance) => [balance.regionCode, balance]));
  const node = (region: Region): RegionNode => ({
    region,
    balance: balanceOf.get(region.code) ?? null,
    children: (byParent.get(region.code) ?? []).sort((a, b) => a.code.localeCompare(b.code)).map(node),
  });
  const root = regions.find((region) => region.level === 'province');
  return root ? node(root) : null;
}

/**
 * The trees a key that does not cover the province reads: each region it lists, with the regions
 * that region funds below it (a 市's 区/县, not the 扩权县 the province pays directly, which the
 * registry places under it but the key does not cover). The API decides what the key may read;
 * this only spares it rows it would be refused.
 */
export function buildCoveredTrees(regions: readonly Region[], balances: readonly RegionBalance[], keyRegions: readonly string[]): RegionNode[] {
  const byParent = new Map<string, Region[]>();
  for (const region of regions) {
    if (region.parentCode === null || region.directFromProvince) continue;
    byParent.set(region.parentCode, [...(byParent.get(region.parentCode) ?? []), region]);
  }
  const balanceOf = new Map(balances.map((balance) => [balance.regionCode, balance]));
  const byCode = new Map(regions.map((region) => [region.code, region]));
  const node = (region: Region): RegionNode => ({
    region,
    balance: balanceOf.get(region.code) ?? null,
    children: (byParent.get(region.code) ?? []).sort((a, b) => a.code.localeCompare(b.code)).map(node),
  });
  return [...keyRegions]
    .sort()
    .map((code) => byCode.get(code))
    .filter((region): region is Region => region !== undefined)
    .map(node);
}

export function matchesSearch(region: Region, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === '') return true;
  return region.code.includes(needle) || region.name.toLowerCase().includes(needle) || region.shortName.toLowerCase().includes(needle);
}

/**
 * The tree pruned to the regions matching `query` and their ancestors, and the codes to open so
 * that every match shows. An empty query keeps everything and opens nothing.
 */
export function searchTree(root: RegionNode, query: string): { tree: RegionNode | null; open: Set<string> } {
  const open = new Set<string>();
  if (query.trim() === '') return { tree: root, open };
  const prune = (node: RegionNode): RegionNode | null => {
    const children = node.children.map(prune).filter((child): child is RegionNode => child !== null);
    if (children.length > 0) open.add(node.region.code);
    if (children.length === 0 && !matchesSearch(node.region, query)) return null;
    return { ...node, children: matchesSearch(node.region, query) && children.length === 0 ? node.children : children };
  };
  return { tree: prune(root), open };
}
