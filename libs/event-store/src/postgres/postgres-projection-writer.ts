import type { PoolClient } from 'pg';
import {
  docKey,
  type DocRef,
  type DocWrite,
  type DocumentProjection,
  type JsonObject,
  type RecordedEvent,
  type StoredDoc,
} from '../event-store.port';
import { LedgerDeltaAccumulator } from '../ledger-delta';
import {
  isLedgerTablesProjection,
  ledgerFundKey,
  ledgerRegionKey,
  type LedgerDelta,
  type LedgerState,
  type LedgerTablesProjection,
  type ProgramYearRow,
  type RegionBalanceRow,
  type StoreProjection,
} from '../ledger-tables.port';
import { jsonArray, type DocWriteRow } from './postgres-append';
import { loadLedgerState, writeLedgerDelta } from './postgres-ledger-tables';
import { docColumns, toStoredDoc, type DocRow } from './postgres-rows';

/**
 * Runs one projection over events inside the caller's transaction: loads (and locks) the documents
 * or aggregate rows it reads, applies it, writes the result and moves its checkpoint to the last
 * event, so that the read model and the checkpoint commit or roll back together.
 */
export async function projectInTransaction(
  client: PoolClient,
  projection: StoreProjection,
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  if (isLedgerTablesProjection(projection)) {
    await writeLedgerDelta(client, projection.fold(events, await loadLedgerState(client, projection.stateKeys(events))));
  } else {
    const loaded = await loadDocsForUpdate(client, projection.refs(events));
    await writeDocs(client, projection.name, projection.apply(events, loaded));
  }
  await client.query({
    name: 'earmark-set-checkpoint',
    text: `INSERT INTO rm_checkpoints (projection, position) VALUES ($1, $2)
           ON CONFLICT (projection) DO UPDATE SET position = GREATEST(rm_checkpoints.position, EXCLUDED.position)`,
    values: [projection.name, events[events.length - 1].position.toString()],
  });
}

async function loadDocsForUpdate(client: PoolClient, refs: readonly DocRef[]): Promise<Map<string, StoredDoc | null>> {
  const loaded = new Map<string, StoredDoc | null>();
  await loadMissingDocs(client, refs, loaded);
  return loaded;
}

/** Loads (and locks) the documents of `refs` not in `loaded` yet, absent ones as null, in one query. */
async function loadMissingDocs(client: PoolClient, refs: readonly DocRef[], loaded: Map<string, StoredDoc | null>): Promise<void> {
  const unique: DocRef[] = [];
  for (const ref of refs) {
    const key = docKey(ref);
    if (loaded.has(key)) continue;
    loaded.set(key, null);
    unique.push(ref);
  }
  if (unique.length === 0) return;
  // Locked so that a rebuild batch and an inline projection never interleave on one document. One
  // index lookup per document (LATERAL ... LIMIT 1): a join could scan the whole table instead.
  const result = await client.query<DocRow>({
    name: 'earmark-lock-docs',
    text: `SELECT d.collection, d.id, d.partition, d.doc
           FROM unnest($1::text[], $2::text[]) AS r(collection, id)
           CROSS JOIN LATERAL (SELECT ${docColumns} FROM rm_docs
                               WHERE rm_docs.collection = r.collection AND rm_docs.id = r.id
                               LIMIT 1 FOR UPDATE) AS d`,
    values: [unique.map((ref) => ref.collection), unique.map((ref) => ref.id)],
  });
  for (const row of result.rows) loaded.set(docKey(row), toStoredDoc(row));
}

async function writeDocs(client: PoolClient, projectionName: string, writes: readonly DocWrite[]): Promise<void> {
  // One statement may not touch a row twice (ON CONFLICT DO UPDATE refuses it): the last write wins.
  const lastWrites = new Map<string, DocWrite>();
  for (const write of writes) {
    const key = docKey(write);
    lastWrites.delete(key);
    lastWrites.set(key, write);
  }
  const upserts = [...lastWrites.values()].filter((write) => write.doc !== null);
  const deletes = [...lastWrites.values()].filter((write) => write.doc === null);
  if (upserts.length > 0) {
    await client.query({
      name: 'earmark-upsert-docs',
      text: `INSERT INTO rm_docs (collection, id, partition, doc, projection)
             SELECT w.collection, w.id, w.partition, w.doc::jsonb, $5
             FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), json_array_elements($4::json))
               AS w(collection, id, partition, doc)
             ON CONFLICT (collection, id) DO UPDATE
               SET partition = EXCLUDED.partition, doc = EXCLUDED.doc, projection = EXCLUDED.projection`,
      values: [
        upserts.map((write) => write.collection),
        upserts.map((write) => write.id),
        upserts.map((write) => write.partition),
        jsonArray(upserts.map((write) => JSON.stringify(write.doc))),
        projectionName,
      ],
    });
  }
  if (deletes.length > 0) {
    await client.query({
      name: 'earmark-delete-docs',
      text: 'DELETE FROM rm_docs USING unnest($1::text[], $2::text[]) AS d(collection, id) WHERE rm_docs.collection = d.collection AND rm_docs.id = d.id',
      values: [deletes.map((write) => write.collection), deletes.map((write) => write.id)],
    });
  }
}

/** The aggregate rows a batch has read (and locked) so far, and which keys were read, found or not. */
export class LoadedLedger implements LedgerState {
  readonly programYears = new Map<string, ProgramYearRow>();
  readonly regionBalances = new Map<string, RegionBalanceRow>();
  private readonly readFunds = new Set<string>();
  private readonly readRegions = new Set<string>();

  /** Counts the keys as read: their rows, if any, are in the maps. */
  markRead(keys: LedgerTablesKeys): void {
    for (const k of keys.programYears) this.readFunds.add(ledgerFundKey(k.programCode, k.fiscalYear));
    for (const k of keys.regionBalances) this.readRegions.add(ledgerRegionKey(k.programCode, k.fiscalYear, k.regionCode));
  }

  /** The keys not read yet, each once. */
  unread(keys: LedgerTablesKeys): LedgerTablesKeys {
    return {
      programYears: uniqueBy(
        keys.programYears.filter((k) => !this.readFunds.has(ledgerFundKey(k.programCode, k.fiscalYear))),
        (k) => ledgerFundKey(k.programCode, k.fiscalYear),
      ),
      regionBalances: uniqueBy(
        keys.regionBalances.filter((k) => !this.readRegions.has(ledgerRegionKey(k.programCode, k.fiscalYear, k.regionCode))),
        (k) => ledgerRegionKey(k.programCode, k.fiscalYear, k.regionCode),
      ),
    };
  }
}

/** A projection refused one append of a batch (it threw): that append is rejected alone. */
export class ProjectionRefusal {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {}
}

/** The new events of one append of a batch, and its place in the batch. */
export interface ProjectedAppend {
  readonly index: number;
  readonly events: readonly RecordedEvent[];
}

/** A document as the batch leaves it so far: the text to store, parsed when an append reads it. */
interface StagedDoc {
  readonly row: DocWriteRow;
  parsed?: StoredDoc | null;
}

/** What the inline projections of a batch write: documents, and the ledger tables' delta. */
export interface ProjectedWrites {
  readonly docs: DocWriteRow[];
  readonly ledger: LedgerDelta | null;
}

/**
 * Runs inline projections over the appends of a batch, in order, as if each append were its own
 * transaction: each call gets only its append's events and sees the documents (and ledger rows)
 * the calls before it wrote. Everything the batch reads is loaded (and locked) first, one query
 * per table, unless already read. Returns what to write, the last write of each document or row
 * winning, or the first append a projection refused. `loaded` and `loadedLedger` keep what was
 * read, for a second run after a refusal.
 */
export async function projectAppends(
  client: PoolClient,
  storeProjections: readonly StoreProjection[],
  appends: readonly ProjectedAppend[],
  loaded: Map<string, StoredDoc | null>,
  loadedLedger: LoadedLedger,
): Promise<ProjectedWrites | ProjectionRefusal> {
  const projections = storeProjections.filter((projection): projection is DocumentProjection => !isLedgerTablesProjection(projection));
  const ledgerProjection = storeProjections.find(isLedgerTablesProjection);
  const refs: DocRef[][][] = [];
  const ledgerKeys: { programYears: LedgerTablesKeys['programYears'][number][]; regionBalances: LedgerTablesKeys['regionBalances'][number][] } = {
    programYears: [],
    regionBalances: [],
  };
  for (const append of appends) {
    try {
      refs.push(projections.map((projection) => projection.refs(append.events)));
      if (ledgerProjection) {
        const keys = ledgerProjection.stateKeys(append.events);
        ledgerKeys.programYears.push(...keys.programYears);
        ledgerKeys.regionBalances.push(...keys.regionBalances);
      }
    } catch (error) {
      return new ProjectionRefusal(append.index, error);
    }
  }
  await loadMissingDocs(client, refs.flat(2), loaded);
  const ledger = ledgerProjection ? await foldLedger(client, ledgerProjection, appends, ledgerKeys, loadedLedger) : null;
  if (ledger instanceof ProjectionRefusal) return ledger;

  const staged = new Map<string, StagedDoc>();
  const current = (key: string): StoredDoc | null => {
    const doc = staged.get(key);
    if (doc === undefined) return loaded.get(key) ?? null;
    if (doc.parsed === undefined) {
      const { collection, id, partition, docText } = doc.row;
      doc.parsed = docText === null ? null : { collection, id, partition, doc: JSON.parse(docText) as JsonObject };
    }
    return doc.parsed;
  };
  for (const [n, append] of appends.entries()) {
    try {
      for (const [p, projection] of projections.entries()) {
        const docs = new Map<string, StoredDoc | null>();
        for (const ref of refs[n][p]) {
          const key = docKey(ref);
          if (!docs.has(key)) docs.set(key, current(key));
        }
        for (const write of projection.apply(append.events, docs)) {
          const key = docKey(write);
          const docText = write.doc === null ? null : JSON.stringify(write.doc);
          staged.delete(key);
          staged.set(key, { row: { collection: write.collection, id: write.id, partition: write.partition, docText, projection: projection.name } });
        }
      }
    } catch (error) {
      return new ProjectionRefusal(append.index, error);
    }
  }
  return { docs: [...staged.values()].map((doc) => doc.row), ledger };
}

type LedgerTablesKeys = ReturnType<LedgerTablesProjection['stateKeys']>;

/** Folds each append over the rows as the appends before it left them; one delta for the batch. */
async function foldLedger(
  client: PoolClient,
  projection: LedgerTablesProjection,
  appends: readonly ProjectedAppend[],
  keys: LedgerTablesKeys,
  loaded: LoadedLedger,
): Promise<LedgerDelta | ProjectionRefusal> {
  const unread = loaded.unread(keys);
  if (unread.programYears.length > 0 || unread.regionBalances.length > 0) {
    const state = await loadLedgerState(client, unread);
    for (const [key, row] of state.programYears) loaded.programYears.set(key, row);
    for (const [key, row] of state.regionBalances) loaded.regionBalances.set(key, row);
    loaded.markRead(unread);
  }
  const accumulator = new LedgerDeltaAccumulator();
  for (const append of appends) {
    try {
      accumulator.add(projection.fold(append.events, accumulator.stateOver(loaded)));
    } catch (error) {
      return new ProjectionRefusal(append.index, error);
    }
  }
  return accumulator.delta();
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) seen.set(key(item), item);
  return [...seen.values()];
}
