import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The tokens of the development keys a first local start creates go to a file beside the keys
 * file, readable by its owner only, and never to the output: start-up output ends up in logs,
 * and these keys cover every region.
 */
export function writeDevelopmentTokens(keysFile: string, tokens: readonly { name: string; role: string; token: string }[]): string {
  const path = join(dirname(keysFile), 'development-tokens.txt');
  const lines = [
    '# Local development keys over every region (*): for this machine only, never production.',
    '# role      name            token',
    ...tokens.map(({ name, role, token }) => `${role.padEnd(10)}${name.padEnd(16)}${token}`),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}
