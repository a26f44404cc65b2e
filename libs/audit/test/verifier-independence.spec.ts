import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * That the library loads no database driver, Nest or application code is checked by the
 * dependency rules (.dependency-cruiser.offline.js). What this file checks is finer than an
 * import graph: which of the domain's names the verifier takes.
 */
const sourceDir = join(__dirname, '..', 'src');
const sources = readdirSync(sourceDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(join(sourceDir, name), 'utf8') }));

describe('what the verifier takes from the domain', () => {
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
