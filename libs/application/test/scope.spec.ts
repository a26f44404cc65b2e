import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import { ApplicationError } from '../src/problem';
import { ReadScope } from '../src/read-scope';

const registryFile = join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv');
const registry = new RegionRegistry(parseRegionsTsv(readFileSync(registryFile, 'utf8')));

function refusal(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof ApplicationError) return error.code;
    throw error;
  }
}

describe('a reader reads along the funding tree', () => {
  const scope = (...regions: string[]) => new ReadScope(registry, { name: 'reader', role: 'operator', regions });

  it('covers its regions and the 区/县 they fund, not a 扩权县 nor the root', () => {
    expect(['510300', '510302', '510321', '510000'].map((code) => scope('510300').covers(code))).toEqual([true, true, false, false]);
  });

  it('reads a program-year only when it covers the root; with no root named, every root of the registry', () => {
    expect([scope('510000').coversRoot('510000'), scope('510100').coversRoot('510000'), scope('510000').coversRoot(null)]).toEqual([
      true,
      false,
      true,
    ]);
    expect(refusal(() => scope('510100').requireRoot(null, 'the audit log'))).toBe('forbidden');
  });

  it('a flag naming no region is the root’s', () => {
    expect([scope('510100').coversRegionOrRoot(''), scope('510000').coversRegionOrRoot('')]).toEqual([false, true]);
  });
});
