import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli, builtServer, freePort, projectRoot } from '../support/server-process';
import { hashToken } from '@earmark/runtime';

/** API keys as an operator manages them: development keys, `earmark keys add`, production. */
describe('API keys', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'earmark-keys-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}) => {
    const base: NodeJS.ProcessEnv = { ...process.env, EARMARK_DATA_DIR: dataDir, EARMARK_STORE: 'sqlite', ...extra };
    delete base.EARMARK_KEYS_FILE;
    delete base.NODE_ENV;
    return { ...base, ...extra };
  };

  /** `earmark keys …` on this test's data dir. */
  const keysCli = (...args: string[]) => spawnSync(process.execPath, [builtCli, 'keys', ...args], { cwd: projectRoot, env: env(), encoding: 'utf8' });

  it('`keys add` prints a new token once and stores only its SHA-256', () => {
    const run = keysCli('add', '--name', 'chengdu', '--role', 'finance', '--regions', '510100,510300');
    expect(run.status).toBe(0);
    const token = run.stdout.trim();
    expect(token).toMatch(/^em_[A-Za-z0-9_-]{32}$/);
    const keys = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8'));
    expect(keys).toEqual([{ name: 'chengdu', role: 'finance', regions: ['510100', '510300'], tokenSha256: hashToken(token) }]);
    expect(readFileSync(join(dataDir, 'keys.json'), 'utf8')).not.toContain(token);
  });

  it('`keys add` with an unknown role: exit 2 and no file', () => {
    const run = keysCli('add', '--name', 'x', '--role', 'admin', '--regions', '*');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--role must be finance, operator or auditor');
    expect(existsSync(join(dataDir, 'keys.json'))).toBe(false);
  });

  it('`keys add` naming a region the registry does not know: exit 1, the region named, and no file', () => {
    const run = keysCli('add', '--name', 'x', '--role', 'operator', '--regions', '510100,519999');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('refused: 519999 not in the region registry; no key was added');
    expect(run.stdout).toBe('');
    expect(existsSync(join(dataDir, 'keys.json'))).toBe(false);
  });

  it('a keys file naming a region the registry does not know: the service refuses to start', () => {
    const keysFile = join(dataDir, 'hand-edited.json');
    writeFileSync(keysFile, JSON.stringify([{ name: 'typo', role: 'operator', regions: ['510199'], tokenSha256: hashToken('t') }]));
    const run = spawnSync(process.execPath, [builtServer], {
      cwd: projectRoot,
      env: env({ EARMARK_KEYS_FILE: keysFile, EARMARK_PORT: '0' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`keys file ${keysFile}: key typo names 510199, not in the region registry`);
  });

  it('NODE_ENV=production without a keys file: refuses to start', () => {
    const run = spawnSync(process.execPath, [builtServer], {
      cwd: projectRoot,
      env: env({ NODE_ENV: 'production', EARMARK_PORT: '0' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('NODE_ENV=production needs a keys file');
  });

  it('a development start without a keys file creates one key per role, its tokens in a 0600 file, none in the output', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [builtServer], { cwd: projectRoot, env: env({ EARMARK_PORT: String(port), EARMARK_HOST: '127.0.0.1' }) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      for (let i = 0; i < 600 && !output.includes('LOCAL DEVELOPMENT KEYS'); i += 1) await new Promise((r) => setTimeout(r, 100));
      const tokensFile = join(dataDir, 'development-tokens.txt');
      expect(output).toContain(`their tokens are in ${tokensFile} (mode 0600)`);
      expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
      const tokens = [...readFileSync(tokensFile, 'utf8').matchAll(/^(finance|operator|auditor)\s+(dev-\S+)\s+(em_\S+)$/gm)].map((m) => [m[1], m[2], m[3]]);
      expect(tokens.map(([role, name]) => [role, name])).toEqual([
        ['finance', 'dev-finance'],
        ['operator', 'dev-operator'],
        ['auditor', 'dev-auditor'],
      ]);
      for (const [, , token] of tokens) expect(output).not.toContain(token);
      const keys = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8'));
      expect(keys.map((k: { tokenSha256: string }) => k.tokenSha256)).toEqual(tokens.map(([, , token]) => hashToken(token)));
      const response = await fetch(`http://127.0.0.1:${port}/v1/programs`, { headers: { authorization: `Bearer ${tokens[1][2]}` } });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);

  it('`earmark` with no command prints the usage on stderr and exits 2', () => {
    const run = spawnSync(process.execPath, [builtCli], { cwd: projectRoot, env: env(), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('earmark <command>');
    expect(run.stderr).toContain('keys revoke NAME');
  });
});
