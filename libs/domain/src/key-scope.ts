import type { RegionRegistry } from './regions';

/**
 * What an API key's region list covers: each listed region and every region it funds, following
 * the funding tree (the province funds its 市(州) and 扩权县, a 市 its 区/县). A 扩权县 is funded by
 * the province alone, so a 市's key never covers it. `*` covers everything.
 */
export function keyCovers(registry: RegionRegistry, keyRegions: readonly string[], regionCode: string): boolean {
  if (keyRegions.includes('*')) return true;
  const held = new Set(keyRegions);
  let code: string | null = regionCode;
  // The funding tree is at most three levels deep here; the bound guards against a cycle in a bad registry.
  for (let depth = 0; code !== null && depth < 16; depth += 1) {
    if (held.has(code)) return true;
    code = registry.fundingParentOf(code);
  }
  return false;
}
