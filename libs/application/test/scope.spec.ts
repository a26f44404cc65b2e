import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { FundCommandRunner, type CommandContext } from '../src/command-runner';
import { systemClock, uuidGenerator } from '../src/ports';
import { ApplicationError } from '../src/problem';
import { ReadScope } from '../src/read-scope';

const registryFile = join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv');
const registry = new RegionRegistry(parseRegionsTsv(readFileSync(registryFile, 'utf8')));
// The scope checks never touch the store.
const runner = new FundCommandRunner({} as EventStore, registry, systemClock, uuidGenerator);

const finance = (...regions: string[]): CommandContext => ({ actor: { name: `key-${regions.join('-')}`, role: 'finance', regions } });

function refusal(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof ApplicationError) return error.code;
    throw error;
  }
}

describe('a finance key acts along the funding tree', () => {
  it.each([
    ['510100', '510100', null],
    ['510100', '510105', null],
    ['510300', '510302', null],
    // 荣县 and 富顺县 are 扩权县: the province funds them, 自贡 does not.
    ['510300', '510321', 'forbidden'],
    ['510300', '510322', 'forbidden'],
    ['510100', '510300', 'forbidden'],
    ['510000', '510321', null],
    ['*', '510321', null],
  ])('key %s acting for %s: %s', (held, regionCode, expected) => {
    expect(refusal(() => runner.assertMayActFor(finance(held), regionCode))).toBe(expected);
  });

  it.each([
    ['510000', '510100', null],
    ['510000', '510321', null],
    ['*', '510000', null],
    ['510100', '510100', 'forbidden'],
    ['510300', '510321', 'forbidden'],
    ['510100', '519999', 'forbidden'],
    // An unknown issuer goes on to the decider (unknown-region) only with a key covering the root.
    ['510000', '519999', null],
  ])('key %s recording an allocation document or settlement naming %s: %s', (held, regionCode, expected) => {
    expect(refusal(() => runner.assertMayActForRoot(finance(held), regionCode, 'allocation documents'))).toBe(expected);
  });

  it('an operator key sends no command, whatever its regions', () => {
    const operator: CommandContext = { actor: { name: 'op', role: 'operator', regions: ['*'] } };
    expect(refusal(() => runner.assertMayActFor(operator, '510100'))).toBe('forbidden');
  });
});

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
