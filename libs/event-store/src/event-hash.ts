import * as crypto from 'node:crypto';
import type { JsonValue, RecordedEvent } from './event-store.port';

/**
 * The hash chain every store writes and every verifier checks. Specified in docs/hash-chain.md:
 * hash = SHA-256 over the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of
 * { id, type, data, metadata, streamName, streamVersion, position, recordedAt, previousHash },
 * with streamVersion and position as base-10 strings. The first event's previousHash is 64 zeros.
 */
export const genesisHash = '0'.repeat(64);

/**
 * SHA-256 of text (as UTF-8) or bytes. The one-shot crypto.hash (Node ≥ 20.12), where the runtime
 * has it, costs half of a Hash object's construction, update and digest: every command hashes
 * several times (its events, their ids, the request, the key).
 */
export const sha256: (data: string | Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** sha256 as 64 lowercase hex digits. */
export const sha256Hex: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

export type UnhashedEvent = Omit<RecordedEvent, 'hash' | 'previousHash'>;

export function canonicalEventBytes(event: UnhashedEvent, previousHash: string): Buffer {
  const encoded = canonicalJson({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    streamName: event.streamName,
    streamVersion: event.streamVersion.toString(),
    position: event.position.toString(),
    recordedAt: event.recordedAt,
    previousHash,
  });
  return Buffer.from(encoded, 'utf8');
}

export function hashEvent(event: UnhashedEvent, previousHash: string): string {
  return sha256Hex(canonicalEventBytes(event, previousHash));
}

export function chainEvent(event: UnhashedEvent, previousHash: string): RecordedEvent {
  return { ...event, previousHash, hash: hashEvent(event, previousHash) };
}

/** An event's data and metadata already in canonical JSON, so that placing it in the log costs one hash. */
export interface CanonicalBodies {
  readonly data: string;
  readonly metadata: string;
}

export function canonicalBodies(event: Pick<UnhashedEvent, 'data' | 'metadata'>): CanonicalBodies {
  return { data: canonicalJson(event.data), metadata: canonicalJson(event.metadata) };
}

/**
 * `hashEvent` for an event whose bodies were encoded beforehand: the same bytes, the members
 * written in canonicalEventBytes' key order (JCS sorts them; these keys never change).
 */
export function hashEventWithBodies(event: UnhashedEvent, bodies: CanonicalBodies, previousHash: string): string {
  const encoded =
    `{"data":${bodies.data},"id":${JSON.stringify(event.id)},"metadata":${bodies.metadata},` +
    `"position":"${event.position.toString()}","previousHash":${JSON.stringify(previousHash)},` +
    `"recordedAt":${JSON.stringify(event.recordedAt)},"streamName":${JSON.stringify(event.streamName)},` +
    `"streamVersion":"${event.streamVersion.toString()}","type":${JSON.stringify(event.type)}}`;
  return sha256Hex(encoded);
}

/**
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers as ECMAScript's JSON.stringify prints them (which is what JCS specifies).
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('JCS cannot encode a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      // Plain loops: every appended event is encoded here, and closures per key cost more than the hash.
      if (Array.isArray(value)) {
        let encoded = '[';
        for (let index = 0; index < value.length; index += 1) {
          if (index > 0) encoded += ',';
          encoded += canonicalJson(value[index]);
        }
        return `${encoded}]`;
      }
      // The default sort compares UTF-16 code units, as JCS asks.
      const keys = Object.keys(value).sort();
      let encoded = '{';
      for (const key of keys) {
        const member = value[key];
        if (member === undefined) continue;
        if (encoded.length > 1) encoded += ',';
        encoded += `${JSON.stringify(key)}:${canonicalJson(member)}`;
      }
      return `${encoded}}`;
    }
    default:
      throw new Error(`JCS cannot encode a ${typeof value}`);
  }
}
