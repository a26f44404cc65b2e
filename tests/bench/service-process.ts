import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectRoot, hashToken } from '@earmark/runtime';
import { freePort } from '../support/server-process';

const pollMs = 100;
const healthTimeoutMs = 2_000;

/**
 * `earmark serve` as operators run it, in a process of its own, on loopback: a finance key over
 * the funding root and an operator key over every region, written to a keys file in `dataDir`.
 */
export class ServiceProcess {
  readonly financeToken = `bench-fin-${randomBytes(16).toString('hex')}`;
  readonly operatorToken = `bench-op-${randomBytes(16).toString('hex')}`;
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(readonly dataDir: string, readonly port: number, private readonly env: Record<string, string>) {}

  static async start(dataDir: string, env: Record<string, string>, waitMs: number): Promise<ServiceProcess> {
    const service = new ServiceProcess(dataDir, await freePort(), env);
    try {
      await service.run(waitMs);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  private async run(waitMs: number): Promise<void> {
    const server = join(findProjectRoot(), 'dist', 'apps', 'api', 'src', 'main.js');
    if (!existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\` first`);
    const keysFile = join(this.dataDir, 'bench-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify([
        { name: 'bench-finance', role: 'finance', regions: ['510000'], tokenSha256: hashToken(this.financeToken) },
        { name: 'bench-operator', role: 'operator', regions: ['*'], tokenSha256: hashToken(this.operatorToken) },
      ]),
    );
    // BENCH_SERVICE_NODE_ARGS: Node's options for the service alone (`--cpu-prof` to profile it).
    const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    const child = spawn(process.execPath, [...nodeArgs, server], {
      cwd: findProjectRoot(),
      env: { ...process.env, EARMARK_DATA_DIR: this.dataDir, EARMARK_KEYS_FILE: keysFile, EARMARK_HOST: '127.0.0.1', EARMARK_PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.keep(chunk));
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`earmark serve exited with ${child.exitCode}: ${this.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/v1/health`, { signal: AbortSignal.timeout(healthTimeoutMs) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(`earmark serve did not answer within ${waitMs} ms: ${this.output}`);
  }

  /** The last few KiB of what the service printed, for an error message. */
  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString('utf8')).slice(-4_096);
  }

  /** The service's process id, null once stopped. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The service's peak resident set so far (Linux's VmHWM), in MiB; null where /proc does not tell. */
  peakRssMiB(): number | null {
    const pid = this.child?.pid;
    if (pid === undefined) return null;
    try {
      const found = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return found ? Math.round(Number(found[1]) / 1024) : null;
    } catch {
      return null;
    }
  }

  /** SIGTERM, as a service manager stops it; SIGKILL if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
