import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Each boundary rule broken on purpose: a small project laid out as this one is (apps, libs,
 * tests, the @earmark/* aliases), cruised with the project's own configurations. Every rule must
 * report exactly the imports written to break it, and the imports the architecture allows (an
 * adapter's entry point, a type-only import in the verifier) must pass.
 */
const root = join(__dirname, '..', '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

const libs = ['domain', 'application', 'event-store', 'projections', 'audit', 'notice-import', 'runtime'];
const fixture: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'commonjs',
      moduleResolution: 'node10',
      ignoreDeprecations: '6.0',
      paths: {
        ...Object.fromEntries(libs.map((lib) => [`@earmark/${lib}`, [`./libs/${lib}/src/index.ts`]])),
        '@earmark/event-store/*': ['./libs/event-store/src/*/index.ts'],
      },
    },
  }),
  // The domain reaches another lib, and a source file reaches into tests.
  'libs/domain/src/index.ts': "export * from './money';\nexport { stores } from '@earmark/event-store';\nexport { sample } from '../test/support/sample';\n",
  'libs/domain/src/money.ts': 'export const fen = 1n;\n',
  'libs/domain/test/support/sample.ts': 'export const sample = 1;\n',
  // Allowed: an adapter's own entry point. Forbidden: another lib's inner file.
  'libs/application/src/index.ts': "export { SqliteStore } from '@earmark/event-store/sqlite';\nexport { fen } from '../../domain/src/money';\n",
  // The port's entry point loading an adapter, and one adapter loading another and its driver.
  'libs/event-store/src/index.ts': "export * from './sqlite';\nexport const stores = 1;\nexport interface StoredEvent { readonly position: bigint }\n",
  'libs/event-store/src/sqlite/index.ts': "import Database from 'better-sqlite3';\nexport const SqliteStore = Database;\n",
  'libs/event-store/src/postgres/index.ts': "import Database from 'better-sqlite3';\nexport { SqliteStore } from '../sqlite';\nexport const PostgresStore = Database;\n",
  // Projections point outwards at the application.
  'libs/projections/src/index.ts': "export { SqliteStore } from '@earmark/application';\n",
  // The verifier: a type from the event store is fine; a value loads the driver.
  'libs/audit/src/index.ts': "export { SqliteStore } from '@earmark/event-store';\n",
  'libs/audit/src/types-only.ts': "import type { StoredEvent } from '@earmark/event-store';\nexport const positionOf = (event: StoredEvent): bigint => event.position;\n",
  // A circle inside one lib.
  'libs/notice-import/src/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
  'libs/notice-import/src/b.ts': "import { a } from './a';\nexport const b = (): number => a() - 1;\n",
  // One app leaning on the other.
  'apps/api/src/main.ts': 'export const serve = (): void => undefined;\n',
  'apps/cli/src/main.ts': "export { serve } from '../../api/src/main';\n",
  // A test reaching past a lib's entry point.
  'tests/e2e/deep.e2e-spec.ts': "import { fen } from '../../libs/domain/src/money';\nexport const one = fen;\n",
};

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

function cruise(cwd: string, config: string, paths: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [depcruise, ...paths, '--config', join(root, config), '--output-type', 'json', '--preserve-symlinks'], { cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const violations = (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
        resolve(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort());
      } catch {
        reject(new Error(`depcruise answered no report: ${err}`));
      }
    });
  });
}

describe('the dependency rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'earmark-rules-'));
    for (const [path, text] of Object.entries(fixture)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    // The project's packages, seen where a project keeps them (depcruise runs with --preserve-symlinks).
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each rule reports the imports written to break it, and nothing the architecture allows', async () => {
    const [layers, offline] = await Promise.all([
      cruise(dir, '.dependency-cruiser.js', ['apps', 'libs', 'tests']),
      cruise(dir, '.dependency-cruiser.offline.js', ['libs/audit/src']),
    ]);
    expect(layers).toEqual([
      'event-store-adapters-stand-alone: libs/event-store/src/postgres/index.ts -> libs/event-store/src/sqlite/index.ts',
      'event-store-port-loads-no-driver: libs/event-store/src/index.ts -> libs/event-store/src/sqlite/index.ts',
      'event-store-postgres-loads-no-other-driver: libs/event-store/src/postgres/index.ts -> node_modules/better-sqlite3/lib/index.js',
      'no-app-to-app: apps/cli/src/main.ts -> apps/api/src/main.ts',
      'no-circular: libs/notice-import/src/a.ts -> libs/notice-import/src/b.ts',
      'no-deep-imports-from-apps-and-tests: tests/e2e/deep.e2e-spec.ts -> libs/domain/src/money.ts',
      'no-deep-imports: libs/application/src/index.ts -> libs/domain/src/money.ts',
      'not-in-allowed: apps/cli/src/main.ts -> apps/api/src/main.ts',
      'not-in-allowed: libs/domain/src/index.ts -> libs/event-store/src/index.ts',
      'not-in-allowed: libs/projections/src/index.ts -> libs/application/src/index.ts',
      'sources-never-import-tests: libs/domain/src/index.ts -> libs/domain/test/support/sample.ts',
    ]);
    expect(offline).toEqual(['audit-loads-no-driver: libs/audit/src/index.ts -> node_modules/better-sqlite3/lib/index.js']);
  }, 180_000);
});
