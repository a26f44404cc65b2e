import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The audit library must run offline: the event-store package's index loads the database
 * adapters, so from it the library may take types only, and the hash chain from its own module.
 */
const sourceDir = join(__dirname, '..', 'src');
const sources = readdirSync(sourceDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(join(sourceDir, name), 'utf8') }));

describe('what the audit library loads', () => {
  it.each(sources.map((s) => [s.name, s.text] as const))('%s takes only types from @earmark/event-store', (_name, text) => {
    const imports = text.match(/^import[^;]*from '@earmark\/event-store';$/gm) ?? [];
    for (const statement of imports) expect(statement).toMatch(/^import type /);
  });

  it.each(sources.map((s) => [s.name, s.text] as const))('%s loads nothing from Nest or a database driver', (_name, text) => {
    expect(text).not.toMatch(/from '(@nestjs\/|better-sqlite3|pg'|@kurrent\/|@earmark\/(application|projections))/);
  });

  it('balance-replay.ts takes from the domain only formats and the registry type, none of its rules', () => {
    // The verifier is a second implementation of the money rules: importing the decider, the
    // fund state or the region-year arithmetic would make it agree with the domain by construction.
    const replay = sources.find((s) => s.name === 'balance-replay.ts')?.text ?? '';
    const namedImports = [...replay.matchAll(/^import \{([^}]*)\} from '@earmark\/domain';$/gm)];
    expect(namedImports).toHaveLength((replay.match(/'@earmark\/domain'/g) ?? []).length);
    const fromDomain = namedImports.flatMap((match) => match[1].split(',').map((name) => name.trim()));
    expect(fromDomain).toEqual(['formatYuan', 'parseFundStreamName', 'type RegionRegistry']);
    expect(replay).not.toMatch(/from '[^']*(fund\.decider|fund\.state|region-year|fund-event\.decoder)'/);
  });
});
