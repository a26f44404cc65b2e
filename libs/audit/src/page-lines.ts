import type { RecordedEvent } from '@earmark/event-store';

/**
 * The bytes each event of a page was read from, when the page came from an export file: the
 * verifier checks the chain hash over them (canonical-line.ts) instead of re-encoding the parsed
 * event. Kept beside the page, not in it, so that a page is still a plain array of RecordedEvent,
 * and internal to the library: index.ts does not export this module.
 */
export interface PageLines {
  /** The page's events as read: an event put in the page afterwards has no line here. */
  readonly events: readonly RecordedEvent[];
  /** Per event, the buffer its line lies in and where (line break excluded). */
  readonly buffers: readonly Buffer[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

const linesOfPages = new WeakMap<readonly RecordedEvent[], PageLines>();

export function rememberPageLines(page: readonly RecordedEvent[], lines: PageLines): void {
  linesOfPages.set(page, lines);
}

export function pageLinesOf(page: readonly RecordedEvent[]): PageLines | undefined {
  return linesOfPages.get(page);
}
