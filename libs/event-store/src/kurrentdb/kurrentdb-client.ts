import type { Filter, KurrentDBClient } from '@kurrent/kurrentdb-client';

/** The calls this adapter makes; the real client, or a stand-in in tests. */
export type KurrentDbClient = Pick<
  KurrentDBClient,
  'appendToStream' | 'multiStreamAppend' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

type KurrentDbModule = typeof import('@kurrent/kurrentdb-client');

let loaded: Promise<KurrentDbModule> | null = null;

/**
 * Loaded on first use, not at import: the client brings gRPC and a native module, which every
 * importer of the event-store barrel (the SQLite and PostgreSQL users included) would otherwise pay.
 */
export function loadKurrentDbModule(): Promise<KurrentDbModule> {
  loaded ??= import('@kurrent/kurrentdb-client');
  return loaded;
}

export async function connectKurrentDb(connectionString: string): Promise<KurrentDbClient> {
  const { KurrentDBClient: Client } = await loadKurrentDbModule();
  return Client.connectionString(connectionString);
}

/** KurrentDB's own events ($-prefixed types: stats, metadata, links...) are never ledger events. */
export async function ledgerFilter(): Promise<Filter> {
  const { excludeSystemEvents } = await loadKurrentDbModule();
  return excludeSystemEvents();
}
