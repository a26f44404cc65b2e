import { statSync } from 'node:fs';
import { readKeysFile, unknownRegionsOf, type ApiKey, type ApiKeyRing } from '@earmark/runtime';

/** How often the keys file is looked at: a change is in force within this time. */
export const keysFilePollMs = 250;

export interface KeysFileLog {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Keeps a running service's keys in step with its keys file, so that `earmark keys add`, `rotate`
 * and `revoke` take effect without a restart. The file is polled (a stat every `keysFilePollMs`)
 * rather than watched: editors and `keys` itself replace the file by renaming, which a watch on
 * the old file misses. A file that does not parse, or names a region the registry does not know,
 * leaves the last good keys in force and says why.
 */
export class KeysFileWatcher {
  private timer: NodeJS.Timeout | null = null;
  private seen: string;

  constructor(
    private readonly path: string,
    private readonly ring: ApiKeyRing,
    private readonly registry: { has(code: string): boolean },
    private readonly logger: KeysFileLog,
  ) {
    this.seen = this.stamp();
  }

  start(): this {
    this.timer = setInterval(() => this.check(), keysFilePollMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reloads when the file changed since last seen; public so that tests need not wait. */
  check(): void {
    const stamp = this.stamp();
    if (stamp === this.seen) return;
    this.seen = stamp;
    let keys: ApiKey[];
    try {
      keys = readKeysFile(this.path);
      for (const key of keys) {
        const unknown = unknownRegionsOf(key.regions, this.registry);
        if (unknown.length > 0) throw new Error(`keys file ${this.path}: key ${key.name} names ${unknown.join(', ')}, not in the region registry`);
      }
    } catch (error) {
      this.logger.warn(`keys file not reloaded, the last good keys stay in force: ${(error as Error).message}`);
      return;
    }
    this.ring.replace(keys);
    this.logger.log(`keys file reloaded: ${keys.length} keys`);
  }

  /** Identity, size and modification time: a rename or an edit in place both change it. */
  private stamp(): string {
    try {
      const stat = statSync(this.path, { bigint: true });
      return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
    } catch {
      return 'missing';
    }
  }
}
