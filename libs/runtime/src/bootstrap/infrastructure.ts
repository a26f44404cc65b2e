import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { EventStore, LedgerReadModels, ReadModelStore, StoreProjection } from '@earmark/event-store';
import { createLedgerProjection, ProjectionRunner, type ProjectionSink } from '@earmark/projections';
import { Logger } from '@nestjs/common';
import type { EarmarkConfig } from '../config/earmark-config';

/** The store, its read models and the registry, chosen by configuration alone. */
export interface Infrastructure {
  readonly store: EventStore;
  readonly readModels: ReadModelStore & LedgerReadModels & ProjectionSink;
  readonly registry: RegionRegistry;
  readonly projections: readonly StoreProjection[];
  /** What it was opened with: the service also needs the signing key and checkpoint settings. */
  readonly config: EarmarkConfig;
  close(): Promise<void>;
}

export function loadRegistry(config: EarmarkConfig): RegionRegistry {
  return new RegionRegistry(parseRegionsTsv(readFileSync(config.regionsFile, 'utf8')));
}

export const sqliteFileName = 'earmark.sqlite';

export async function openInfrastructure(config: EarmarkConfig): Promise<Infrastructure> {
  const registry = loadRegistry(config);
  const projections: StoreProjection[] = [createLedgerProjection()];
  switch (config.store) {
    // Each adapter is loaded only when chosen, so that a service on one store loads no other driver.
    case 'sqlite': {
      const { SqliteEventStore } = await import('@earmark/event-store/sqlite');
      mkdirSync(config.dataDir, { recursive: true });
      const store = new SqliteEventStore({
        file: join(config.dataDir, sqliteFileName),
        projections,
        writer: config.sqliteWriter,
        checkpoints: config.sqliteCheckpoints,
      });
      await store.init();
      return { store, readModels: store, registry, projections, config, close: () => store.close() };
    }
    case 'postgres': {
      const { PostgresEventStore } = await import('@earmark/event-store/postgres');
      const store = new PostgresEventStore({ connectionString: required(config.databaseUrl), projections });
      await store.init();
      return { store, readModels: store, registry, projections, config, close: () => store.close() };
    }
    case 'kurrentdb': {
      // KurrentDB keeps the events; the read models live in PostgreSQL when configured, else in
      // the local SQLite file, fed by a catch-up subscription from their checkpoint.
      const readModels = config.databaseUrl
        ? new (await import('@earmark/event-store/postgres')).PostgresEventStore({ connectionString: config.databaseUrl })
        : (mkdirSync(config.dataDir, { recursive: true }),
          new (await import('@earmark/event-store/sqlite')).SqliteEventStore({ file: join(config.dataDir, 'read-models.sqlite') }));
      await readModels.init();
      const { KurrentDbEventStore } = await import('@earmark/event-store/kurrentdb');
      const store = new KurrentDbEventStore({ connectionString: required(config.kurrentDbUrl), readModels });
      await store.init();
      const logger = new Logger('Projections');
      const runner = new ProjectionRunner(store, readModels, projections, (error) =>
        logger.error(`projection runner: ${(error as Error).message}`),
      );
      await runner.start();
      return {
        store,
        readModels,
        registry,
        projections,
        config,
        close: async () => {
          await runner.stop();
          await store.close();
          await readModels.close();
        },
      };
    }
  }
}

function required(value: string | null): string {
  if (!value) throw new Error('missing connection string');
  return value;
}
