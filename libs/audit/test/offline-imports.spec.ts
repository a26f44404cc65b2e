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
});
