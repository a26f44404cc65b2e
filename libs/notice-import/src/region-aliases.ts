import type { Region, RegionRegistry } from '@earmark/domain';

/** A county that became a county-level city: a new name and a new code for the same place. */
export interface RegionRename {
  readonly formerName: string;
  readonly formerCode: string;
  readonly currentCode: string;
  readonly year: number;
}

/**
 * The registry holds GB/T 2260 as of 2022-10-31, but older notices write the names and codes of
 * their day. These are every Sichuan county that became a city since 2010; each current code is in
 * seeds/sichuan-regions.tsv. Counties that became districts (县→区, 罗江县 → 罗江区) are not listed:
 * the registry has the province pay no district directly, so an older notice's line for one needs
 * more than a new code.
 */
export const regionRenames: readonly RegionRename[] = [
  { formerName: '康定县', formerCode: '513321', currentCode: '513301', year: 2015 },
  { formerName: '马尔康县', formerCode: '513229', currentCode: '513201', year: 2015 },
  { formerName: '隆昌县', formerCode: '511028', currentCode: '511083', year: 2017 },
  { formerName: '射洪县', formerCode: '510922', currentCode: '510981', year: 2019 },
  { formerName: '会理县', formerCode: '513425', currentCode: '513402', year: 2021 },
];

const renameByFormerName = new Map(regionRenames.map((rename) => [rename.formerName, rename]));
const renameByFormerCode = new Map(regionRenames.map((rename) => [rename.formerCode, rename]));

/** The code a region has today; a code that was never renamed is returned as it is. */
export function currentRegionCode(code: string): string {
  return renameByFormerCode.get(code)?.currentCode ?? code;
}

/** A former name the registry no longer knows, with the region it now stands for. */
export interface RenamedRegion {
  readonly rename: RegionRename;
  readonly region: Region;
}

/**
 * The region a former name now stands for. A registry that still holds the name itself (an older
 * one) wins, and a registry without the current region leaves the name unknown.
 */
export function renamedRegionOf(name: string, registry: RegionRegistry): RenamedRegion | null {
  const rename = renameByFormerName.get(name.replace(/\s+/g, ''));
  if (!rename || registry.resolveName(rename.formerName).length > 0) return null;
  const region = registry.get(rename.currentCode);
  return region ? { rename, region } : null;
}

/** The report's warning: the import goes ahead under the current code, and the reader is told so. */
export function renameWarning({ rename, region }: RenamedRegion, line: number): string {
  return `${rename.formerName} (${rename.formerCode}) on line ${line} became ${region.name} (${region.code}) in ${rename.year}; recorded under the current code`;
}
