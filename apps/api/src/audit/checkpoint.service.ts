import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, EVENT_STORE, ID_GENERATOR, type Clock, type IdGenerator } from '@earmark/application';
import type { EventStore } from '@earmark/event-store';
import {
  checkpointActor,
  LedgerTree,
  readLatestCheckpoint,
  signAndRecordCheckpoint,
  type StoredCheckpoint,
} from '@earmark/audit';
import { loadSigningKey, type EarmarkConfig, type LoadedSigningKey } from '@earmark/runtime';

export const AUDIT_SETTINGS = Symbol('AuditSettings');

export interface AuditSettings {
  readonly signingKey: LoadedSigningKey;
  readonly checkpointEveryEvents: number;
  readonly checkpointIntervalMs: number;
}

export function auditSettingsFor(config: EarmarkConfig): AuditSettings {
  return {
    signingKey: loadSigningKey(config),
    checkpointEveryEvents: config.checkpointEveryEvents,
    checkpointIntervalMs: config.checkpointSeconds * 1_000,
  };
}

/** How often the service looks whether EARMARK_CHECKPOINT_EVERY events have arrived. */
export const eventCountCheckMs = 1_000;

/**
 * Issues signed checkpoints over the log and answers Merkle proofs from one in-memory tree.
 * A checkpoint is issued when EARMARK_CHECKPOINT_EVERY events have arrived since the last, when
 * EARMARK_CHECKPOINT_SECONDS have passed and anything arrived, and on demand when none exists yet.
 * Checkpoints are read back from the log rather than remembered, so a restart signs nothing anew:
 * issuedAt is always the moment a root was first signed, never the moment a tree was rebuilt.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Checkpoints');
  /** The tree checkpoints are signed over; the audit endpoints answer proofs from it. */
  readonly tree: LedgerTree;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Issuing runs one at a time, so that two triggers never sign the same size twice. */
  private queue: Promise<unknown> = Promise.resolve();
  private background: Promise<void> | null = null;
  private closed = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {
    this.tree = new LedgerTree(store);
  }

  get keyId(): string {
    return this.settings.signingKey.keyId;
  }

  get publicKeyPem(): string {
    return this.settings.signingKey.publicKeyPem;
  }

  onApplicationBootstrap(): void {
    const { signingKey } = this.settings;
    this.logger.log(`checkpoints are signed with key ${signingKey.keyId} (${signingKey.path})`);
    this.every(eventCountCheckMs, () => this.issueIfDue('count'));
    this.every(this.settings.checkpointIntervalMs, () => this.issueIfDue('time'));
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    // The store closes after the modules: let a checkpoint under way land first.
    await this.background;
    await this.queue;
  }

  /** The latest checkpoint in the log; one is issued first when there is none yet. */
  latestOrIssue(): Promise<StoredCheckpoint> {
    return this.serially(async () => (await readLatestCheckpoint(this.store)) ?? this.issue());
  }

  /** Signs the log as it stands now and records the checkpoint. */
  issueNow(): Promise<StoredCheckpoint> {
    return this.serially(() => this.issue());
  }

  private async issueIfDue(trigger: 'count' | 'time'): Promise<void> {
    await this.serially(async () => {
      const latest = await readLatestCheckpoint(this.store);
      const arrived = (await this.store.headPosition()) - (latest?.position ?? 0n);
      const due = trigger === 'count' ? arrived >= BigInt(this.settings.checkpointEveryEvents) : arrived > 0n;
      if (due && !this.closed) await this.issue();
    });
  }

  private async issue(): Promise<StoredCheckpoint> {
    const stored = await signAndRecordCheckpoint(
      this.store,
      this.tree,
      { privateKeyPem: this.settings.signingKey.privateKeyPem, actor: checkpointActor },
      this.clock.now().toISOString(),
      this.ids.newId(),
    );
    this.logger.log(`checkpoint of ${stored.checkpoint.treeSize} events recorded at position ${stored.position}`);
    return stored;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A timer that never keeps the process alive, and skips a tick while the last is still running. */
  private every(intervalMs: number, work: () => Promise<void>): void {
    const timer = setInterval(() => {
      if (this.closed || this.background !== null) return;
      this.background = work()
        .catch((error: unknown) => this.logger.error(`checkpoint not issued: ${(error as Error).message}`))
        .finally(() => {
          this.background = null;
        });
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }
}
