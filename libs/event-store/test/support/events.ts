import type { JsonObject, NewEvent, RecordedEvent } from '../../src/event-store.port';
import { chainEvent, genesisHash } from '../../src/event-hash';

/** A fixed, valid UUID per number, so that expected values can name their events. */
export function eventId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function testEvent(n: number, overrides: Partial<Omit<NewEvent, 'id'>> = {}): NewEvent {
  return {
    id: eventId(n),
    type: overrides.type ?? 'Deposited',
    data: overrides.data ?? { amountFen: String(n * 100) },
    metadata: overrides.metadata ?? { correlationId: eventId(n) },
  };
}

/** Events numbered from..to inclusive. */
export function testEvents(from: number, to: number, overrides: Partial<Omit<NewEvent, 'id'>> = {}): NewEvent[] {
  const events: NewEvent[] = [];
  for (let n = from; n <= to; n += 1) events.push(testEvent(n, overrides));
  return events;
}

/** The (id, stream, version, position) of each event: the part of a RecordedEvent a test pins. */
export function placesOf(events: readonly RecordedEvent[]): [string, string, bigint, bigint][] {
  return events.map((event) => [event.id, event.streamName, event.streamVersion, event.position]);
}

export function positionsOf(events: readonly Pick<RecordedEvent, 'position'>[]): bigint[] {
  return events.map((event) => event.position);
}

export function versionsOf(events: readonly RecordedEvent[]): bigint[] {
  return events.map((event) => event.streamVersion);
}

/** Every failure of the chain in a log read from position 1, as readable lines (empty when whole). */
export function hashChainFailures(log: readonly RecordedEvent[]): string[] {
  const failures: string[] = [];
  let previousHash = genesisHash;
  log.forEach((event, index) => {
    if (event.position !== BigInt(index + 1)) failures.push(`position ${event.position} at index ${index}`);
    if (event.previousHash !== previousHash) failures.push(`position ${event.position}: previousHash does not link`);
    const { hash: _hash, previousHash: _previous, ...unhashed } = event;
    const recomputed = chainEvent(unhashed, event.previousHash).hash;
    if (event.hash !== recomputed) failures.push(`position ${event.position}: hash does not match its content`);
    previousHash = event.hash;
  });
  return failures;
}

export const rfc3339Utc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const sampleChineseData: JsonObject = {
  documentNumber: '川财社〔2024〕2号',
  fundName: '困难群体养老保险个人缴费省级财政代缴资金',
  regionName: '北川羌族自治县',
  amountFen: '13500000000',
};
