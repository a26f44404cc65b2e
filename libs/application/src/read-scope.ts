import { keyCovers, type RegionRegistry } from '@earmark/domain';
import { ApplicationError } from './problem';

/** Who reads: an operator's or auditor's key and the regions it lists (or `*`). */
export interface Reader {
  readonly name: string;
  readonly role: string;
  readonly regions: readonly string[];
}

/** The ledger's own tools inside the process (the CLI's report): every region. */
export const everyRegionReader: Reader = { name: 'earmark', role: 'system', regions: ['*'] };

/**
 * What a key may read follows the funding tree, as what a finance key may do does: a region's
 * balance, trail, flags and performance rows when the key covers the region; a program-year's
 * totals, its documents and the audit log only when the key covers the funding root, since they
 * sum every region's money.
 */
export class ReadScope {
  private readonly roots: readonly string[];

  constructor(private readonly registry: RegionRegistry, private readonly reader: Reader) {
    this.roots = registry.roots();
  }

  covers(regionCode: string): boolean {
    return keyCovers(this.registry, this.reader.regions, regionCode);
  }

  /**
   * The funding root of a program-year (the issuer of its first allocation). A program-year that
   * names none yet, and anything not tied to one program (the audit log), needs every root.
   */
  coversRoot(rootCode: string | null): boolean {
    const roots = rootCode ? [rootCode] : this.roots;
    return roots.every((code) => this.covers(code));
  }

  requireRegion(regionCode: string): void {
    if (!this.covers(regionCode)) {
      throw new ApplicationError('forbidden', `key ${this.reader.name} may not read region ${regionCode}`);
    }
  }

  requireRoot(rootCode: string | null, what: string): void {
    if (!this.coversRoot(rootCode)) {
      throw new ApplicationError(
        'forbidden',
        `key ${this.reader.name} may not read ${what}: that needs a key covering the funding root ${rootCode ?? this.roots.join(', ')}`,
      );
    }
  }

  /** A flag or row about a region, or ('') about no region in particular: then the root's. */
  coversRegionOrRoot(regionCode: string): boolean {
    return regionCode === '' ? this.coversRoot(null) : this.covers(regionCode);
  }
}
