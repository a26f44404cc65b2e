/**
 * The region registry: every county-level unit with its 6-digit code (GB/T 2260), its parent, and
 * whether the province pays it directly (扩权县 and the 市(州) themselves). The registry is a value
 * handed to the domain; reading the TSV file is the caller's job.
 */
export type RegionLevel = 'province' | 'prefecture' | 'county';

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly shortName: string;
  readonly level: RegionLevel;
  readonly parentCode: string | null;
  readonly directFromProvince: boolean;
}

export const regionCodePattern = /^[0-9]{6}$/;

export class RegionRegistry {
  private readonly byCode = new Map<string, Region>();
  private readonly childrenByParent = new Map<string, Region[]>();

  constructor(regions: readonly Region[]) {
    for (const region of regions) {
      if (this.byCode.has(region.code)) throw new Error(`region ${region.code} is listed twice`);
      this.byCode.set(region.code, region);
    }
    for (const region of regions) {
      if (region.parentCode === null) continue;
      if (!this.byCode.has(region.parentCode)) {
        throw new Error(`region ${region.code} names unknown parent ${region.parentCode}`);
      }
      const siblings = this.childrenByParent.get(region.parentCode) ?? [];
      siblings.push(region);
      this.childrenByParent.set(region.parentCode, siblings);
    }
  }

  all(): readonly Region[] {
    return [...this.byCode.values()];
  }

  get(code: string): Region | undefined {
    return this.byCode.get(code);
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  childrenOf(code: string): readonly Region[] {
    return this.childrenByParent.get(code) ?? [];
  }

  /** The root of the tree the region belongs to (the province). */
  provinceOf(code: string): Region | undefined {
    let region = this.byCode.get(code);
    while (region && region.parentCode !== null) region = this.byCode.get(region.parentCode);
    return region;
  }

  /** The roots of the registry's trees: its provinces, where funds start. */
  roots(): string[] {
    return this.all()
      .filter((region) => region.parentCode === null)
      .map((region) => region.code);
  }

  /**
   * Who an allocation from `issuerCode` may name as a line: a child of the issuer, or, when the
   * issuer is the province, a county the registry marks as paid directly by the province.
   */
  isDirectRecipient(issuerCode: string, code: string): boolean {
    const region = this.byCode.get(code);
    const issuer = this.byCode.get(issuerCode);
    if (!region || !issuer) return false;
    if (region.parentCode === issuerCode) return true;
    return issuer.level === 'province' && region.directFromProvince && this.provinceOf(code)?.code === issuerCode;
  }

  /** A pass-down goes only to one's own child that the province does not pay directly. */
  isPassDownTarget(fromCode: string, toCode: string): boolean {
    const to = this.byCode.get(toCode);
    return !!to && to.parentCode === fromCode && !to.directFromProvince;
  }

  /**
   * Where a region's money comes from and where a return goes: the province for a region it pays
   * directly, otherwise the parent.
   */
  fundingParentOf(code: string): string | null {
    const region = this.byCode.get(code);
    if (!region || region.parentCode === null) return null;
    if (region.directFromProvince) return this.provinceOf(code)?.code ?? null;
    return region.parentCode;
  }

  /**
   * The 市(州) a region counts under for performance targets: itself for a prefecture, its
   * prefecture for a county (扩权县 included).
   */
  prefectureOf(code: string): string | null {
    let region = this.byCode.get(code);
    while (region) {
      if (region.level === 'prefecture') return region.code;
      region = region.parentCode === null ? undefined : this.byCode.get(region.parentCode);
    }
    return null;
  }

  /**
   * Resolves a name as notices write it, within a parent when one is given (市中区 exists under
   * both 内江 and 乐山). Matches the full name or the short name exactly, never by prefix, so
   * 高县 never matches 高坪区.
   */
  resolveName(name: string, parentCode?: string): Region[] {
    const wanted = name.replace(/\s+/g, '');
    const candidates = parentCode === undefined ? this.all() : this.childrenOf(parentCode);
    return candidates.filter((r) => r.name === wanted || r.shortName === wanted);
  }
}

/** Parses the registry TSV: code, name, short_name, level, parent_code, direct_from_province. */
export function parseRegionsTsv(text: string): Region[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines.shift()?.split('\t') ?? [];
  const expected = ['code', 'name', 'short_name', 'level', 'parent_code', 'direct_from_province'];
  if (expected.some((column, i) => header[i] !== column)) {
    throw new Error(`region registry header must be ${expected.join(', ')}`);
  }
  return lines.map((line, index) => {
    const [code, name, shortName, level, parentCode, direct] = line.split('\t');
    if (!regionCodePattern.test(code ?? '')) throw new Error(`registry line ${index + 2}: bad code "${code}"`);
    if (level !== 'province' && level !== 'prefecture' && level !== 'county') {
      throw new Error(`registry line ${index + 2}: bad level "${level}"`);
    }
    return {
      code,
      name,
      shortName: shortName || name,
      level,
      parentCode: parentCode ? parentCode : null,
      directFromProvince: direct === 'yes',
    };
  });
}
