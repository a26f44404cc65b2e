import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import type { JsonObject, JsonValue, RecordedEvent } from '@earmark/event-store';
import type { Checkpoint } from './checkpoint';
import { rememberPageLines } from './page-lines';

/**
 * The export file (docs/export-format.md): JSON Lines in UTF-8, LF-terminated,
 *   line 1        {"format":"earmark-export/v1","exportedAt":…,"events":n}
 *   lines 2..n+1  one event each, in position order, bigints as decimal strings
 *   line n+2      {"checkpoint":{…}|null,"publicKeyPem"?:…}
 * written and read one line at a time, so that neither side holds the file's text at once.
 */
export const exportFormat = 'earmark-export/v1';

/** No event comes near this (a 5,000-line allocation is about 300 KB); a longer line is not ours. */
export const maxExportLineChars = 16 * 1024 * 1024;

export interface ExportHeader {
  readonly format: typeof exportFormat;
  readonly exportedAt: string;
  readonly events: number;
}

export interface LedgerExport {
  readonly exportedAt: string;
  readonly events: RecordedEvent[];
  readonly checkpoint: Checkpoint | null;
  /**
   * The key the exporter says signed the checkpoint, for convenience only: an auditor checks the
   * checkpoint with a key obtained elsewhere, and compares its keyId.
   */
  readonly publicKeyPem?: string;
}

export interface ExportContent {
  /** In ascending position order. An async source (a store read page by page) needs eventCount. */
  readonly events: readonly RecordedEvent[] | AsyncIterable<RecordedEvent>;
  readonly eventCount?: number;
  readonly checkpoint?: Checkpoint | null;
  readonly publicKeyPem?: string;
  /** RFC 3339 UTC; the time of writing when absent. */
  readonly exportedAt?: string;
}

export class ExportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportFormatError';
  }
}

/**
 * Writes to `<path>.partial` and renames it into place once complete, so that a crash or a bad
 * input never leaves a file at `path` that looks like a finished export.
 */
export async function writeExport(path: string, content: ExportContent): Promise<{ events: number }> {
  const eventCount = Array.isArray(content.events) ? content.events.length : content.eventCount;
  if (eventCount === undefined || !Number.isSafeInteger(eventCount) || eventCount < 0) {
    throw new TypeError('an export from an async source needs eventCount, for its header');
  }
  const checkpoint = content.checkpoint ?? null;
  if (checkpoint !== null && checkpoint.treeSize > eventCount) {
    throw new TypeError(`the checkpoint covers ${checkpoint.treeSize} events, the export holds ${eventCount}`);
  }
  const partialPath = `${path}.partial`;
  const out = createWriteStream(partialPath, { encoding: 'utf8' });
  const closed = once(out, 'close');
  // A write error surfaces from `closed` or from the next drain wait; keep it from going unhandled.
  closed.catch(() => undefined);
  const writeLine = async (value: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, 'drain');
  };

  try {
    const header: ExportHeader = {
      format: exportFormat,
      exportedAt: content.exportedAt ?? new Date().toISOString(),
      events: eventCount,
    };
    await writeLine(header);
    let written = 0;
    let lastPosition = 0n;
    for await (const event of content.events) {
      if (event.position <= lastPosition) {
        throw new TypeError(`events must be in ascending position order: ${event.position} follows ${lastPosition}`);
      }
      lastPosition = event.position;
      written += 1;
      if (written > eventCount) throw new TypeError(`the source holds more than the ${eventCount} events announced`);
      await writeLine(eventToLine(event));
    }
    if (written !== eventCount) throw new TypeError(`the source held ${written} events, ${eventCount} were announced`);
    await writeLine({ checkpoint, ...(content.publicKeyPem === undefined ? {} : { publicKeyPem: content.publicKeyPem }) });
    out.end();
    await closed;
  } catch (error) {
    out.destroy();
    await closed.catch(() => undefined);
    await unlink(partialPath).catch(() => undefined);
    throw error;
  }
  await rename(partialPath, path);
  return { events: eventCount };
}

/**
 * An export opened for reading: its header and trailer read and checked, its events not yet. The
 * trailer is read first, from the end of the file, because the verifier needs the checkpoint
 * before the first event: it keeps the root of the signed prefix as the events pass, not the events.
 */
export interface ExportReader {
  readonly exportedAt: string;
  /** As the header announces it; pages() throws when the file holds another number. */
  readonly eventCount: number;
  readonly checkpoint: Checkpoint | null;
  /** As in LedgerExport: for convenience only. */
  readonly publicKeyPem?: string;
  /**
   * The events in position order, in pages of at most pageEvents, read a line at a time. Any line
   * that breaks the format throws an ExportFormatError when it is reached, the same error readExport
   * gives, so a consumer sees every page before the one that cannot be read.
   */
  pages(pageEvents?: number): AsyncGenerator<RecordedEvent[]>;
}

/** Events per page: enough to keep the per-page overhead small, few enough to be nothing in memory. */
export const exportPageEvents = 1_000;

/**
 * How much of the file's end is searched for the trailer (a checkpoint and a PEM key: well under a
 * kilobyte). A file whose last line is longer is read through once to find its trailer.
 */
export const trailerSearchBytes = 64 * 1024;

/** Reads and checks the file's header and trailer; whether its contents are true is the verifier's job. */
export async function openExport(path: string): Promise<ExportReader> {
  const opened = await readHeader(path);
  const trailer = (await trailerAtTheEnd(path)) ?? (await trailerByReadingThrough(path));
  return {
    exportedAt: opened.header.exportedAt,
    eventCount: opened.header.events,
    checkpoint: trailer.checkpoint,
    ...(trailer.publicKeyPem === undefined ? {} : { publicKeyPem: trailer.publicKeyPem }),
    async *pages(pageEvents: number = exportPageEvents): AsyncGenerator<RecordedEvent[]> {
      if (!Number.isSafeInteger(pageEvents) || pageEvents < 1) throw new RangeError(`a page holds at least one event, not ${pageEvents}`);
      let page = newPage();
      for await (const items of exportItems(path)) {
        for (const item of items) {
          if (item.kind === 'event') {
            page.events.push(item.event);
            page.buffers.push(item.bytes);
            page.starts.push(item.start);
            page.ends.push(item.end);
            if (page.events.length === pageEvents) {
              yield pageOf(page);
              page = newPage();
            }
          } else if (item.text !== (item.kind === 'header' ? opened.text : trailer.text)) {
            throw new ExportFormatError(`line ${item.lineNo}: the file changed while it was read`);
          }
        }
      }
      if (page.events.length > 0) yield pageOf(page);
    },

  };
}

/**
 * The whole export in memory: for files known to be small. The CLI's verify reads pages from
 * openExport instead, so that a log of millions of events is never held at once.
 */
export async function readExport(path: string): Promise<LedgerExport> {
  const opened = await openExport(path);
  const events: RecordedEvent[] = [];
  for await (const page of opened.pages()) {
    for (const event of page) events.push(event);
  }
  return {
    exportedAt: opened.exportedAt,
    events,
    checkpoint: opened.checkpoint,
    ...(opened.publicKeyPem === undefined ? {} : { publicKeyPem: opened.publicKeyPem }),
  };
}

/** One event as an export line: the RecordedEvent's fields, bigints as decimal strings. */
export function eventToLine(event: RecordedEvent): JsonObject {
  return {
    position: event.position.toString(),
    id: event.id,
    type: event.type,
    streamName: event.streamName,
    streamVersion: event.streamVersion.toString(),
    recordedAt: event.recordedAt,
    data: event.data,
    metadata: event.metadata,
    previousHash: event.previousHash,
    hash: event.hash,
  };
}

// ------------------------------------------------------------------------------------------------

interface Trailer {
  readonly checkpoint: Checkpoint | null;
  readonly publicKeyPem?: string;
}

type ExportItem =
  | { readonly kind: 'header'; readonly header: ExportHeader; readonly text: string; readonly lineNo: number }
  /** The event and the bytes of its line: bytes[start..end). */
  | { readonly kind: 'event'; readonly event: RecordedEvent; readonly bytes: Buffer; readonly start: number; readonly end: number }
  | { readonly kind: 'trailer'; readonly trailer: Trailer; readonly text: string; readonly lineNo: number };

interface PageBuilder {
  readonly events: RecordedEvent[];
  readonly buffers: Buffer[];
  readonly starts: number[];
  readonly ends: number[];
}

const newPage = (): PageBuilder => ({ events: [], buffers: [], starts: [], ends: [] });

/** The page handed out, with the lines its events were read from kept beside it for the verifier. */
function pageOf(built: PageBuilder): RecordedEvent[] {
  const page = built.events.slice();
  rememberPageLines(page, built);
  return page;
}

/**
 * The file line by line, each line checked as it comes: the one reading of the format that
 * openExport, its pages and readExport share, so that they refuse a file with the same words.
 * The items of each read come together: one await per thousand events, not one per event.
 */
async function* exportItems(path: string): AsyncGenerator<ExportItem[]> {
  let header: ExportHeader | undefined;
  let events = 0;
  let trailerSeen = false;
  let lineNo = 0;
  for await (const batch of lineBatches(path)) {
    const items: ExportItem[] = [];
    try {
      for (let i = 0; i < batch.texts.length; i += 1) {
        lineNo += 1;
        const rawLine = batch.texts[i];
        const line = lineNo === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
        if (trailerSeen) {
          if (line.trim() === '') continue;
          throw new ExportFormatError(`line ${lineNo}: text after the trailer`);
        }
        const value = parseLine(line, lineNo);
        if (header === undefined) {
          header = parseHeader(value, lineNo);
          items.push({ kind: 'header', header, text: line, lineNo });
        } else if (events < header.events) {
          const event = parseEvent(value, lineNo);
          events += 1;
          items.push({ kind: 'event', event, bytes: batch.bytes, start: batch.starts[i], end: batch.ends[i] });
        } else {
          const trailer = parseTrailer(value, lineNo);
          trailerSeen = true;
          items.push({ kind: 'trailer', trailer, text: line, lineNo });
        }
      }
    } catch (error) {
      // The lines before a bad one are handed out first: a consumer sees them, as it would line by line.
      if (items.length > 0) yield items;
      throw error;
    }
    if (items.length > 0) yield items;
  }
  if (header === undefined) throw new ExportFormatError('the file is empty');
  if (events < header.events) throw new ExportFormatError(`the header announces ${header.events} events, the file holds ${events}`);
  if (!trailerSeen) throw new ExportFormatError('the trailer is missing: the file is cut short');
}

/** Bytes read at a time: about a thousand events. */
const readChunkBytes = 256 * 1024;

/** The lines of one read, as text and as where they lie in its bytes, line breaks left out. */
interface LineBatch {
  readonly bytes: Buffer;
  readonly texts: string[];
  readonly starts: number[];
  readonly ends: number[];
}

/**
 * The file's lines as readline gives them with crlfDelay Infinity: LF, CRLF and a lone CR each
 * end a line, and a last line without a break counts. Read in large chunks and split natively,
 * so that a line costs no await and no regular expression of its own.
 */
async function* lineBatches(path: string): AsyncGenerator<LineBatch> {
  const file = await open(path, 'r');
  // The next chunk is read while the lines of this one are parsed and checked.
  let reading: Promise<Buffer> | null = null;
  const readChunk = async (): Promise<Buffer> => {
    const chunk = Buffer.allocUnsafe(readChunkBytes);
    const { bytesRead } = await file.read(chunk, 0, readChunkBytes, null);
    return chunk.subarray(0, bytesRead);
  };
  try {
    let carry: Buffer = Buffer.alloc(0);
    let next = readChunk();
    reading = next;
    for (;;) {
      const chunk: Buffer = await next;
      reading = null;
      if (chunk.length > 0) {
        next = readChunk();
        reading = next;
      }
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const filled = bytes.length;
      if (chunk.length === 0) {
        if (filled > 0) yield splitLines(bytes, filled, true);
        return;
      }
      // Whole lines end at the last break read; a CR that ends the read may be half a CRLF, so it waits.
      const lastFeed = bytes.lastIndexOf(lineFeed, filled - 1);
      const lastReturn = filled >= 2 ? bytes.lastIndexOf(carriageReturn, filled - 2) : -1;
      const cut = Math.max(lastFeed, lastReturn);
      if (cut === -1) {
        // A UTF-16 unit takes at most 3 bytes: this many bytes without a break are a line too long.
        if (filled > 3 * maxExportLineChars) throw new ExportFormatError(`a line is longer than ${maxExportLineChars} characters`);
        carry = bytes;
        continue;
      }
      yield splitLines(bytes, cut + 1, false);
      carry = bytes.subarray(cut + 1, filled);
    }
  } finally {
    // A read still under way must end before the file closes under it.
    await reading?.catch(() => undefined);
    await file.close();
  }
}

/**
 * The lines of bytes[0..length): each break ends one; what follows the last break is a line only
 * at the end of the file, and only when it is not empty. Without a CR the text is decoded once and
 * split at LF natively; with one (a file edited elsewhere), line by line.
 */
function splitLines(bytes: Buffer, length: number, atEnd: boolean): LineBatch {
  const starts: number[] = [];
  const ends: number[] = [];
  const region = bytes.subarray(0, length);
  if (region.indexOf(carriageReturn) === -1) {
    const texts = region.toString('utf8').split('\n');
    if (texts[texts.length - 1] === '') texts.pop();
    let start = 0;
    for (let i = 0; i < texts.length; i += 1) {
      const feed = region.indexOf(lineFeed, start);
      const end = feed === -1 ? length : feed;
      starts.push(start);
      ends.push(end);
      start = end + 1;
    }
    return { bytes, texts, starts, ends };
  }
  const texts: string[] = [];
  let start = 0;
  for (let at = 0; at < length; at += 1) {
    const byte = bytes[at];
    if (byte !== lineFeed && byte !== carriageReturn) continue;
    starts.push(start);
    ends.push(at);
    texts.push(bytes.toString('utf8', start, at));
    if (byte === carriageReturn && at + 1 < length && bytes[at + 1] === lineFeed) at += 1;
    start = at + 1;
  }
  if (atEnd && start < length) {
    starts.push(start);
    ends.push(length);
    texts.push(bytes.toString('utf8', start, length));
  }
  return { bytes, texts, starts, ends };
}

async function readHeader(path: string): Promise<{ header: ExportHeader; text: string }> {
  for await (const items of exportItems(path)) {
    for (const item of items) if (item.kind === 'header') return { header: item.header, text: item.text };
  }
  // exportItems yields the header first or throws.
  throw new Error('no header');
}

/**
 * The last line that is not blank, when it lies within the file's last trailerSearchBytes and reads
 * as a trailer; undefined otherwise. Reading the events line by line later checks that it is the
 * trailer indeed: the line after the announced events, with only blank lines after it.
 */
async function trailerAtTheEnd(path: string): Promise<(Trailer & { text: string }) | undefined> {
  const file = await open(path, 'r');
  let tail: Buffer;
  let start: number;
  try {
    const { size } = await file.stat();
    start = Math.max(0, size - trailerSearchBytes);
    tail = Buffer.alloc(size - start);
    const { bytesRead } = await file.read(tail, 0, tail.length, start);
    tail = tail.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  let end = tail.length;
  for (let i = tail.length - 1; i >= -1; i -= 1) {
    const isBreak = i >= 0 && (tail[i] === lineFeed || tail[i] === carriageReturn);
    if (i >= 0 && !isBreak) continue;
    // A line cut by the start of the window is not whole, unless the window starts the file.
    if (i === -1 && start > 0) return undefined;
    const text = tail.subarray(i + 1, end).toString('utf8');
    end = i;
    if (text.trim() === '') continue;
    try {
      return { ...parseTrailer(parseLine(text, 0), 0), text };
    } catch (error) {
      if (error instanceof ExportFormatError) return undefined;
      throw error;
    }
  }
  return undefined;
}

/** The trailer of a file whose end is not one: reading it through gives it, or the format error. */
async function trailerByReadingThrough(path: string): Promise<Trailer & { text: string }> {
  let found: (Trailer & { text: string }) | undefined;
  for await (const items of exportItems(path)) {
    for (const item of items) if (item.kind === 'trailer') found = { ...item.trailer, text: item.text };
  }
  // exportItems throws unless it met a trailer.
  if (found === undefined) throw new Error('no trailer');
  return found;
}

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

function parseLine(line: string, lineNo: number): JsonObject {
  if (line.length > maxExportLineChars) throw new ExportFormatError(`line ${lineNo}: longer than ${maxExportLineChars} characters`);
  let value: JsonValue;
  try {
    value = JSON.parse(line) as JsonValue;
  } catch {
    throw new ExportFormatError(`line ${lineNo}: not JSON`);
  }
  if (!isObject(value)) throw new ExportFormatError(`line ${lineNo}: not a JSON object`);
  return value;
}

function parseHeader(value: JsonObject, lineNo: number): ExportHeader {
  if (value.format !== exportFormat) {
    throw new ExportFormatError(`line ${lineNo}: format is ${JSON.stringify(value.format)}, expected "${exportFormat}"`);
  }
  const events = value.events;
  if (typeof events !== 'number' || !Number.isSafeInteger(events) || events < 0) {
    throw new ExportFormatError(`line ${lineNo}: events is not a whole number ≥ 0`);
  }
  return { format: exportFormat, exportedAt: stringField(value, 'exportedAt', lineNo), events };
}

function parseEvent(value: JsonObject, lineNo: number): RecordedEvent {
  const data = value.data;
  const metadata = value.metadata;
  if (!isObject(data)) throw new ExportFormatError(`line ${lineNo}: data is not an object`);
  if (!isObject(metadata)) throw new ExportFormatError(`line ${lineNo}: metadata is not an object`);
  return {
    id: stringField(value, 'id', lineNo),
    type: stringField(value, 'type', lineNo),
    data,
    metadata,
    streamName: stringField(value, 'streamName', lineNo),
    streamVersion: integerField(value, 'streamVersion', lineNo),
    position: integerField(value, 'position', lineNo),
    recordedAt: stringField(value, 'recordedAt', lineNo),
    hash: stringField(value, 'hash', lineNo),
    previousHash: stringField(value, 'previousHash', lineNo),
  };
}

function parseTrailer(value: JsonObject, lineNo: number): Trailer {
  if (!('checkpoint' in value)) throw new ExportFormatError(`line ${lineNo}: expected the trailer, with a checkpoint`);
  const raw = value.checkpoint;
  let checkpoint: Checkpoint | null = null;
  if (raw !== null) {
    if (!isObject(raw)) throw new ExportFormatError(`line ${lineNo}: checkpoint is not an object`);
    const treeSize = raw.treeSize;
    if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) {
      throw new ExportFormatError(`line ${lineNo}: checkpoint.treeSize is not a whole number ≥ 0`);
    }
    checkpoint = {
      treeSize,
      rootHash: stringField(raw, 'rootHash', lineNo),
      signature: stringField(raw, 'signature', lineNo),
      keyId: stringField(raw, 'keyId', lineNo),
      issuedAt: stringField(raw, 'issuedAt', lineNo),
    };
  }
  const publicKeyPem = value.publicKeyPem;
  if (publicKeyPem !== undefined && typeof publicKeyPem !== 'string') {
    throw new ExportFormatError(`line ${lineNo}: publicKeyPem is not a string`);
  }
  return { checkpoint, ...(publicKeyPem === undefined ? {} : { publicKeyPem }) };
}

function stringField(value: JsonObject, field: string, lineNo: number): string {
  const found = value[field];
  if (typeof found !== 'string') throw new ExportFormatError(`line ${lineNo}: ${field} is not a string`);
  return found;
}

/** Positions and stream versions travel as decimal strings: a JSON number loses bigints past 2^53. */
function integerField(value: JsonObject, field: string, lineNo: number): bigint {
  const found = value[field];
  if (typeof found !== 'string' || !/^(0|[1-9][0-9]*)$/.test(found)) {
    throw new ExportFormatError(`line ${lineNo}: ${field} is not a decimal string`);
  }
  return BigInt(found);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
