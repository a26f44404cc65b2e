import type { EventHash, JsonObject, JsonValue, RecordedEvent, StoredDoc } from '../event-store.port';

/** BIGINT columns arrive as strings from pg (a JavaScript number would lose precision past 2^53). */
export type BigintText = string;

export interface EventRow {
  position: BigintText;
  id: string;
  stream_name: string;
  stream_version: BigintText;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  hash: string;
  previous_hash: string;
}

export const eventColumns =
  'position, id, stream_name, stream_version, type, data, metadata, recorded_at, hash, previous_hash';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    streamName: row.stream_name,
    streamVersion: BigInt(row.stream_version),
    position: BigInt(row.position),
    recordedAt: row.recorded_at,
    hash: row.hash,
    previousHash: row.previous_hash,
  };
}

export interface EventHashRow {
  position: BigintText;
  hash: string;
}

export const eventHashColumns = 'position, hash';

export function toEventHash(row: EventHashRow): EventHash {
  return { position: BigInt(row.position), hash: row.hash };
}

export interface DocRow {
  collection: string;
  id: string;
  partition: string;
  doc: JsonObject;
}

export const docColumns = 'collection, id, partition, doc';

export function toStoredDoc(row: DocRow): StoredDoc {
  return { collection: row.collection, id: row.id, partition: row.partition, doc: row.doc };
}

export interface IdempotencyRow {
  scope: string;
  key: string;
  request_hash: string;
  status: number;
  body: JsonValue;
  position: BigintText;
}
