import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKeys } from './test-app';
import { hashToken } from '@earmark/runtime';

export const projectRoot = join(__dirname, '..', '..');
export const builtCli = join(projectRoot, 'dist', 'apps', 'cli', 'src', 'main.js');
/** `earmark serve`: the service's own program, which the launcher starts for `serve`. */
export const builtServer = join(projectRoot, 'dist', 'apps', 'api', 'src', 'main.js');

/** `earmark <args>` as an operator runs it: the built CLI in a process of its own, waited for. */
export function runCli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, [builtCli, ...args], { cwd: projectRoot, env, encoding: 'utf8' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The service as outside clients run it: its own process, its own data folder and keys file. */
/**
 * One service for the file's tests: created and started before them (handed to `created` first,
 * so that it is killed even if it fails to start), killed and its data removed after them.
 */
export function serverForThisFile(created: (server: ServerProcess) => void, extraEnv: Record<string, string> = {}): void {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await ServerProcess.create(extraEnv);
    created(server);
    await server.start();
  }, 120_000);
  afterAll(async () => {
    await server.kill();
    rmSync(server.dataDir, { recursive: true, force: true });
  });
}

export class ServerProcess {
  readonly tokens: Record<string, string>;
  readonly keysFile: string;
  private child: ChildProcess | null = null;
  output = '';

  constructor(readonly dataDir: string, readonly port: number, readonly extraEnv: Record<string, string> = {}) {
    if (!existsSync(builtServer)) throw new Error(`${builtServer} is missing: run \`npm run build\` first (npm test does)`);
    this.tokens = Object.fromEntries(Object.keys(testKeys).map((n) => [n, `tok-${n}-${randomBytes(12).toString('hex')}`]));
    // One file per process: a running service reloads its keys file, and a second process on the
    // same data folder has tokens of its own.
    this.keysFile = join(dataDir, `test-keys-${port}.json`);
    writeFileSync(
      this.keysFile,
      JSON.stringify(
        Object.entries(testKeys).map(([name, { role, regions }]) => ({ name, role, regions, tokenSha256: hashToken(this.tokens[name]) })),
      ),
    );
  }

  static async create(extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
    return new ServerProcess(mkdtempSync(join(tmpdir(), 'earmark-proc-')), await freePort(), extraEnv);
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      EARMARK_DATA_DIR: this.dataDir,
      EARMARK_PORT: String(this.port),
      EARMARK_KEYS_FILE: this.keysFile,
      EARMARK_HOST: '127.0.0.1',
      ...this.extraEnv,
    };
  }

  async start(waitMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [builtServer], { cwd: projectRoot, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${this.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/v1/health`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server did not answer within ${waitMs} ms: ${this.output}`);
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  /** SIGTERM, as a service manager stops it; resolves with the exit code. */
  async terminate(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    this.child = null;
    return code;
  }

  async call(method: string, path: string, body?: unknown, token: string | null = 'op', key?: string) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['authorization'] = `Bearer ${this.tokens[token]}`;
    if (key) headers['idempotency-key'] = key;
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
}
