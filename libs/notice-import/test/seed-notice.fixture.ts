import { readFileSync } from 'fs';
import { join } from 'path';
import { RegionRegistry, parseRegionsTsv, type Region } from '@earmark/domain';
import { NoticeImportError, parseAllocationNotice, type ParsedNotice } from '@earmark/notice-import';

const seedsDir = join(__dirname, '..', '..', '..', 'seeds');

export const seedNotice = readFileSync(join(seedsDir, 'sichuan-2024-pension-contribution-preallocation.txt'), 'utf8');
const seedRegions = parseRegionsTsv(readFileSync(join(seedsDir, 'sichuan-regions.tsv'), 'utf8'));

export const options = { programCode: 'sc-pension-contribution-subsidy' };

export function seedRegistry(change: (region: Region) => Region = (region) => region): RegionRegistry {
  return new RegionRegistry(seedRegions.map(change));
}

export function parseSeed(text: string = seedNotice, registry: RegionRegistry = seedRegistry()): ParsedNotice {
  return parseAllocationNotice(text, registry, options);
}

/**
 * Replaces whole lines of the notice, each after checking it reads what the test expects, so
 * that a changed seed fails here rather than making a test pass for the wrong reason.
 */
export function withLines(text: string, replacements: Record<number, [expected: string, replacement: string]>): string {
  const lines = text.split('\n');
  for (const [lineNo, [expected, replacement]] of Object.entries(replacements)) {
    const index = Number(lineNo) - 1;
    if (lines[index] !== expected) throw new Error(`line ${lineNo} reads ${JSON.stringify(lines[index])}, not ${JSON.stringify(expected)}`);
    lines[index] = replacement;
  }
  return lines.join('\n');
}

export function importErrorOf(run: () => unknown): NoticeImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof NoticeImportError) return error;
    throw error;
  }
  throw new Error('expected a NoticeImportError, but the notice was imported');
}
