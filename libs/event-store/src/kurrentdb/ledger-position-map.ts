import type { Position } from '@kurrent/kurrentdb-client';
import {
  EventStoreUnavailableError,
  docKey,
  type DocPage,
  type DocumentProjection,
  type DocWrite,
  type JsonObject,
  type ReadModelStore,
  type RecordedEvent,
  type StoredDoc,
} from '../event-store.port';
import { eventsPastCheckpoint } from '../ledger-tables.port';
import { eventKey } from './kurrentdb-mapping';

/*
 * The position map. KurrentDB's $all positions are byte offsets (commit, prepare): ordered, but
 * with gaps and shared with system events and with the adapter's own idempotency streams. The port
 * promises positions 1..n without gaps, and a hash chain over them. So the ledger position is
 * derived: the indexer (ledger-indexer.ts) follows $all with a catch-up subscription, gives each
 * ledger event the next position in $all order, chains its hash, and records
 * (ledger position -> $all position, hash, ...) here. It is a pure function of $all, so it can be
 * rebuilt from KurrentDB at any time, and two indexers (two service replicas) compute the same one.
 *
 * It is kept in the read-model database the service is given (PostgreSQL or SQLite), as documents
 * of a projection applied with `applyProjectionBatch`: each batch of entries and the map's
 * checkpoint (its head) commit in one transaction, and the sink refuses a batch that would leave a
 * gap, which is what keeps two indexers from interleaving. Two documents per event:
 * - by position, listed a page at a time, for readAll and subscriptions;
 * - by (stream, event id), listed by stream, for readStream and for recognising a retried append.
 */

export const positionMapProjectionName = 'kurrentdb-position-map';
export const positionCollection = 'kurrentdb-position';
export const eventCollection = 'kurrentdb-event';
/** Position documents per partition: one listDocs reads at most this many. */
export const positionPageSize = 1_000n;

/** What the read-model database must offer; PostgresEventStore and SqliteEventStore both do. */
export interface KurrentDbReadModels extends ReadModelStore {
  /** Applies the projection to the events after its checkpoint, with the checkpoint, in one transaction. */
  applyProjectionBatch(projection: DocumentProjection, events: readonly RecordedEvent[]): Promise<unknown>;
}

export interface PositionMapEntry {
  readonly position: bigint;
  readonly allPosition: Position;
  readonly eventId: string;
  readonly streamName: string;
  readonly streamVersion: bigint;
  readonly recordedAt: string;
  readonly hash: string;
  readonly previousHash: string;
}

export const entryKey = (entry: PositionMapEntry): string => eventKey(entry.streamName, entry.eventId);

/** Zero-padded so that listing by id is listing by position. */
export const positionDocId = (position: bigint): string => position.toString().padStart(20, '0');
export const positionPartition = (position: bigint): string => pagePartition((position - 1n) / positionPageSize);
const pagePartition = (page: bigint): string => page.toString().padStart(17, '0');

export function toEntryDoc(entry: PositionMapEntry): JsonObject {
  return {
    position: entry.position.toString(),
    commitPosition: entry.allPosition.commit.toString(),
    preparePosition: entry.allPosition.prepare.toString(),
    eventId: entry.eventId,
    streamName: entry.streamName,
    streamVersion: entry.streamVersion.toString(),
    recordedAt: entry.recordedAt,
    hash: entry.hash,
    previousHash: entry.previousHash,
  };
}

export function fromEntryDoc(doc: JsonObject): PositionMapEntry {
  const text = (field: string): string => {
    const value = doc[field];
    if (typeof value !== 'string') throw new EventStoreUnavailableError(`kurrentdb position map: entry without ${field}`);
    return value;
  };
  const integer = (field: string): bigint => {
    const value = text(field);
    if (!/^\d+$/.test(value)) throw new EventStoreUnavailableError(`kurrentdb position map: ${field} is not an integer`);
    return BigInt(value);
  };
  return {
    position: integer('position'),
    allPosition: { commit: integer('commitPosition'), prepare: integer('preparePosition') },
    eventId: text('eventId'),
    streamName: text('streamName'),
    streamVersion: integer('streamVersion'),
    recordedAt: text('recordedAt'),
    hash: text('hash'),
    previousHash: text('previousHash'),
  };
}

/** The two documents of one entry. */
export function entryDocs(entry: PositionMapEntry): DocWrite[] {
  const doc = toEntryDoc(entry);
  return [
    { collection: positionCollection, id: positionDocId(entry.position), partition: positionPartition(entry.position), doc },
    { collection: eventCollection, id: entryKey(entry), partition: entry.streamName, doc },
  ];
}

/**
 * The map as a projection of the indexed events. It reads no documents; the entries (which carry
 * the $all positions a RecordedEvent has no field for) are handed in, keyed by ledger position.
 */
export function positionMapProjection(entries: ReadonlyMap<bigint, PositionMapEntry>): DocumentProjection {
  return {
    name: positionMapProjectionName,
    refs: () => [],
    apply: (events) =>
      events.flatMap((event) => {
        const entry = entries.get(event.position);
        if (entry === undefined || entry.eventId !== event.id) {
          throw new Error(`kurrentdb position map: no entry for position ${event.position}`);
        }
        return entryDocs(entry);
      }),
  };
}

/** The map's head: its last position, 0n when empty. */
export const positionMapHead = (readModels: KurrentDbReadModels): Promise<bigint> => readModels.checkpoint(positionMapProjectionName);

export async function entryAt(readModels: KurrentDbReadModels, position: bigint): Promise<PositionMapEntry | null> {
  const stored = await readModels.getDoc(positionCollection, positionDocId(position));
  return stored === null ? null : fromEntryDoc(stored.doc);
}

/** Entries with afterPosition < position <= throughPosition, in order, checked to be gapless. */
export async function entriesBetween(
  readModels: KurrentDbReadModels,
  afterPosition: bigint,
  throughPosition: bigint,
): Promise<PositionMapEntry[]> {
  const entries: PositionMapEntry[] = [];
  if (throughPosition <= afterPosition) return entries;
  const first = afterPosition + 1n;
  if (throughPosition - afterPosition <= BigInt(maxPointLookups)) {
    // A live subscription reads a few new positions at a time: no need to list their whole page.
    const positions = Array.from({ length: Number(throughPosition - afterPosition) }, (_, index) => first + BigInt(index));
    const docs = await Promise.all(positions.map((position) => readModels.getDoc(positionCollection, positionDocId(position))));
    for (const stored of docs) if (stored !== null) entries.push(fromEntryDoc(stored.doc));
  } else {
    for (let page = (first - 1n) / positionPageSize; page <= (throughPosition - 1n) / positionPageSize; page += 1n) {
      const docs = await readModels.listDocs(positionCollection, pagePartition(page));
      for (const stored of sortedById(docs)) {
        const entry = fromEntryDoc(stored.doc);
        if (entry.position > afterPosition && entry.position <= throughPosition) entries.push(entry);
      }
    }
  }
  entries.forEach((entry, index) => {
    if (entry.position !== first + BigInt(index)) {
      throw new EventStoreUnavailableError(`kurrentdb position map: no entry for position ${first + BigInt(index)}`);
    }
  });
  if (entries.length !== Number(throughPosition - afterPosition)) {
    throw new EventStoreUnavailableError(`kurrentdb position map: no entry for position ${first + BigInt(entries.length)}`);
  }
  return entries;
}

/**
 * Entries of the given (stream, event id) keys that are mapped, keyed by eventKey. A few are looked
 * up one by one; more are read a stream at a time.
 */
export async function entriesForEvents(
  readModels: KurrentDbReadModels,
  events: readonly { readonly streamName: string; readonly eventId: string }[],
): Promise<Map<string, PositionMapEntry>> {
  const found = new Map<string, PositionMapEntry>();
  const keys = new Set(events.map((event) => eventKey(event.streamName, event.eventId)));
  if (keys.size <= maxPointLookups) {
    const docs = await Promise.all([...keys].map((key) => readModels.getDoc(eventCollection, key)));
    for (const stored of docs) if (stored !== null) addEntry(found, fromEntryDoc(stored.doc));
    return found;
  }
  const streamNames = [...new Set(events.map((event) => event.streamName))];
  const lists = await Promise.all(streamNames.map((streamName) => readModels.listDocs(eventCollection, streamName)));
  for (const docs of lists) {
    for (const stored of docs) {
      const entry = fromEntryDoc(stored.doc);
      if (keys.has(entryKey(entry))) addEntry(found, entry);
    }
  }
  return found;
}

/** Beyond this many events, listing their streams beats one query per event. */
export const maxPointLookups = 64;

function addEntry(found: Map<string, PositionMapEntry>, entry: PositionMapEntry): void {
  found.set(entryKey(entry), entry);
}

const sortedById = (docs: readonly StoredDoc[]): StoredDoc[] => [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * The read-model database used when none is given: documents in memory, with the same checkpoint
 * rules as the SQL stores. The map then lives as long as the process and is rebuilt from $all at
 * every start, which is correct (the map is derived) but slow on a long log: give the service its
 * PostgreSQL or SQLite read models instead.
 */
export class InMemoryKurrentDbReadModels implements KurrentDbReadModels {
  private readonly docs = new Map<string, StoredDoc>();
  private readonly checkpoints = new Map<string, bigint>();

  async getDoc(collection: string, id: string): Promise<StoredDoc | null> {
    return this.docs.get(docKey({ collection, id })) ?? null;
  }

  async listDocs(collection: string, partition: string): Promise<StoredDoc[]> {
    return sortedById([...this.docs.values()].filter((doc) => doc.collection === collection && doc.partition === partition));
  }

  async pageDocs(collection: string, partition: string, page: DocPage): Promise<StoredDoc[]> {
    return (await this.listDocs(collection, partition)).filter((doc) => doc.id > page.afterId).slice(0, page.limit);
  }

  async listCollection(collection: string): Promise<StoredDoc[]> {
    return sortedById([...this.docs.values()].filter((doc) => doc.collection === collection));
  }

  async checkpoint(projection: string): Promise<bigint> {
    return this.checkpoints.get(projection) ?? 0n;
  }

  async applyProjectionBatch(projection: DocumentProjection, events: readonly RecordedEvent[]): Promise<bigint> {
    const checkpoint = this.checkpoints.get(projection.name) ?? 0n;
    const fresh = eventsPastCheckpoint(projection.name, checkpoint, events);
    if (fresh.length === 0) return checkpoint;
    const loaded = new Map<string, StoredDoc | null>();
    for (const ref of projection.refs(fresh)) loaded.set(docKey(ref), this.docs.get(docKey(ref)) ?? null);
    // Computed in full before anything is written, so that a throwing projection changes nothing.
    const writes = projection.apply(fresh, loaded);
    for (const write of writes) {
      const key = docKey(write);
      if (write.doc === null) this.docs.delete(key);
      else this.docs.set(key, { collection: write.collection, id: write.id, partition: write.partition, doc: write.doc });
    }
    const reached = fresh[fresh.length - 1].position;
    this.checkpoints.set(projection.name, reached);
    return reached;
  }
}
