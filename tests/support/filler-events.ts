import type { EventStore, NewEvent } from '@earmark/event-store';

/** An event outside any fund, numbered n, of some 300 bytes: the chain covers it as it covers every event. */
export const fillerEvent = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
  type: 'Deposited',
  data: { amountFen: String(n * 100), note: 'x'.repeat(200) },
  metadata: { correlationId: `c-${n}` },
});

/** Filler events numbered 1..count appended to a new stream, `perAppend` at a time. */
export async function appendFiller(store: Pick<EventStore, 'append'>, streamName: string, count: number, perAppend = 1_000): Promise<void> {
  for (let first = 1; first <= count; first += perAppend) {
    const last = Math.min(first + perAppend - 1, count);
    const events = Array.from({ length: last - first + 1 }, (_, i) => fillerEvent(first + i));
    await store.append({ streams: [{ streamName, expectedVersion: first === 1 ? 'no-stream' : BigInt(first - 2), events }] });
  }
}
