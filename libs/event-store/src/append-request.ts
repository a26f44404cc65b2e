import type { AppendRequest } from './event-store.port';

/** Limits of one append, the same for every adapter. */
export const maxStreamsPerAppend = 1_000;
export const maxEventsPerAppend = 10_000;

export function eventsIn(request: AppendRequest): number {
  return request.streams.reduce((sum, stream) => sum + stream.events.length, 0);
}

/** Programmer errors in the request itself, checked the same way by every adapter. */
export function assertAppendRequest(request: AppendRequest): void {
  if (request.streams.length === 0 || request.streams.length > maxStreamsPerAppend) {
    throw new RangeError(`an append names 1..${maxStreamsPerAppend} streams, got ${request.streams.length}`);
  }
  const eventCount = eventsIn(request);
  if (eventCount > maxEventsPerAppend) throw new RangeError(`an append holds at most ${maxEventsPerAppend} events, got ${eventCount}`);
  for (const stream of request.streams) {
    if (typeof stream.streamName !== 'string' || stream.streamName.length === 0) throw new TypeError('streamName must be a non-empty string');
    if (typeof stream.expectedVersion === 'bigint' && stream.expectedVersion < 0n) throw new RangeError('an exact expected version is >= 0');
    for (const event of stream.events) {
      if (typeof event.id !== 'string' || event.id.length === 0) throw new TypeError('event id must be a non-empty string');
      if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('event type must be a non-empty string');
    }
  }
}

/** Waits `ms`, or less when the signal aborts: lets polling loops stop promptly. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
