import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { builtCli, projectRoot, serverForThisFile, type ServerProcess } from '../support/server-process';

/**
 * Keys are added, rotated, revoked and expire on a running service, through `earmark keys`, with
 * no restart: the service picks the keys file up within a second (it looks every 250 ms).
 */
describe('keys on a running service', () => {
  let server: ServerProcess;
  serverForThisFile((created) => (server = created));

  const keys = (...args: string[]) => spawnSync(process.execPath, [builtCli, 'keys', ...args], { cwd: projectRoot, env: server.env(), encoding: 'utf8' });
  const statusWith = async (token: string) =>
    (await fetch(`http://127.0.0.1:${server.port}/v1/regions/510100`, { headers: { authorization: `Bearer ${token}` } })).status;
  /** Asks until the answer is `status`, for at most 5 s; returns the last answer and how long it took. */
  const until = async (token: string, status: number) => {
    const started = Date.now();
    let last = await statusWith(token);
    while (last !== status && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await statusWith(token);
    }
    return { status: last, ms: Date.now() - started };
  };
  const problemCodeWith = async (token: string) =>
    ((await (await fetch(`http://127.0.0.1:${server.port}/v1/regions/510100`, { headers: { authorization: `Bearer ${token}` } })).json()) as { code: string }).code;

  it('added: the new token works without a restart; rotated: the new one works and the old one is 401; revoked: 401', async () => {
    const added = keys('add', '--name', 'night-shift', '--role', 'operator', '--regions', '510100', '--expires', '2999-12-31');
    expect(added.status).toBe(0);
    const first = added.stdout.trim();
    const afterAdd = await until(first, 200);
    expect(afterAdd.status).toBe(200);

    const rotated = keys('rotate', 'night-shift');
    expect(rotated.status).toBe(0);
    const second = rotated.stdout.trim();
    expect(second).not.toBe(first);
    expect((await until(second, 200)).status).toBe(200);
    expect(await statusWith(first)).toBe(401);

    const revoked = keys('revoke', 'night-shift');
    expect(revoked.status).toBe(0);
    expect((await until(second, 401)).status).toBe(401);
    expect(await problemCodeWith(second)).toBe('unauthenticated');

    const listed = keys('list');
    expect(listed.status).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith('night-shift'));
    expect(row).toMatch(/^night-shift\s+operator\s+510100\s+2999-12-31\s+revoked \d{4}-\d{2}-\d{2}T/);
    for (const token of [first, second]) expect(listed.stdout + listed.stderr).not.toContain(token);
    expect(listed.stdout).not.toMatch(/[0-9a-f]{64}/);
    process.stdout.write(`keys file picked up by the running service ${afterAdd.ms} ms after \`keys add\` returned\n`);
  }, 60_000);

  it('an expired key is 401 with the same code as an unknown token', async () => {
    const added = keys('add', '--name', 'last-year', '--role', 'operator', '--regions', '*', '--expires', '2020-01-01');
    expect(added.status).toBe(0);
    const expired = added.stdout.trim();
    // Wait for the reload through a key added after it, which works once the file is read.
    const witness = keys('add', '--name', 'witness', '--role', 'operator', '--regions', '*').stdout.trim();
    expect((await until(witness, 200)).status).toBe(200);
    expect(await statusWith(expired)).toBe(401);
    expect(await problemCodeWith(expired)).toBe(await problemCodeWith('em_never-issued'));
    expect(keys('list').stdout).toMatch(/^last-year\s+operator\s+\*\s+2020-01-01\s+expired$/m);
  }, 60_000);

  it('a keys file that does not parse keeps the last good keys, and the log says why', async () => {
    const good = readFileSync(server.keysFile, 'utf8');
    writeFileSync(server.keysFile, '[{"name": "half-written"');
    for (let i = 0; i < 100 && !server.output.includes('keys file not reloaded'); i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(server.output).toContain(`keys file not reloaded, the last good keys stay in force: keys file ${server.keysFile} is not JSON`);
    expect(await statusWith(server.tokens.op)).toBe(200);
    writeFileSync(server.keysFile, good);
  }, 60_000);

  it('`keys revoke` of a name that is not there: exit 1 and the file unchanged', () => {
    const before = readFileSync(server.keysFile, 'utf8');
    const run = keys('revoke', 'nobody');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no key named nobody in ${server.keysFile}`);
    expect(readFileSync(server.keysFile, 'utf8')).toBe(before);
  });
});
