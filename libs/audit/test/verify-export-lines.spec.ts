import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventToLine, openExport, verifyLedger, verifyLedgerStream, writeExport, type VerifyReport } from '@earmark/audit';
import { canonicalEventBytes, type RecordedEvent } from '@earmark/event-store';
import { canonicalBytesOfLine } from '../src/canonical-line';
import { allocation, chain, cleanLedgerFacts, payment, registry, withData } from './support/ledger-fixture';

/**
 * The verifier checks the chain hash of an event read from an export over bytes rearranged from
 * its line, and falls back to re-encoding the parsed event whenever those do not match. Both
 * ways must give the report verifyLedger gives over the same events in memory, tampered or not.
 */
const events = chain(cleanLedgerFacts());
const lineOf = (event: RecordedEvent): Buffer => Buffer.from(JSON.stringify(eventToLine(event)), 'utf8');

describe('the canonical bytes of an export line', () => {
  it('are the bytes the chain hashes, for every event of a clean ledger', () => {
    for (const event of events) {
      expect(canonicalBytesOfLine(lineOf(event))?.toString('utf8')).toBe(canonicalEventBytes(event, event.previousHash).toString('utf8'));
    }
  });

  it('are read from within a larger buffer, between the bounds given', () => {
    const line = lineOf(events[1]);
    const buffer = Buffer.concat([Buffer.from('xx\n'), line, Buffer.from('\n{"yy":1}')]);
    expect(canonicalBytesOfLine(buffer, 3, 3 + line.length)?.equals(canonicalEventBytes(events[1], events[1].previousHash))).toBe(true);
  });

  it('keep nested objects, arrays, empty ones and literals in order', () => {
    const event = chain([withData(payment('510100', 100n, { id: 'd-1' }), { nested: { z: [3, { b: null, a: true }], a: {} }, list: [], n: -12 })])[0];
    expect(canonicalBytesOfLine(lineOf(event))?.toString('utf8')).toBe(canonicalEventBytes(event, event.previousHash).toString('utf8'));
  });

  it.each([
    ['an escape in a string', (line: string) => line.replace('"sc-finance"', '"sc-\\u0066inance"')],
    ['white space between tokens', (line: string) => line.replace('{"position"', '{ "position"')],
    ['a number JSON.stringify spells otherwise', (line: string) => line.replace('"fiscalYear":2024', '"fiscalYear":2024.0')],
    ['a key twice', (line: string) => line.replace('"metadata":{', '"metadata":{"actor":"x",')],
    ['a key outside ASCII', (line: string) => line.replace('"metadata":{', '"metadata":{"é":1,')],
    ['text after the object', (line: string) => `${line}x`],
  ])('are not vouched for with %s', (_what, edit) => {
    expect(canonicalBytesOfLine(Buffer.from(edit(lineOf(events[0]).toString('utf8')), 'utf8'))).toBeNull();
  });
});

describe('verifyLedgerStream over an export whose lines were edited', () => {
  const log = chain([
    allocation('川财社〔2024〕2号', [['510100', 300_000_000n]]),
    payment('510100', 1_000_000n, { id: 'd-1' }),
    payment('510100', 2_000_000n, { id: 'd-2' }),
  ]);
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earmark-export-lines-'));
    path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events: log, checkpoint: null, exportedAt: '2024-03-06T00:00:01Z' });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Edits line `lineNo` (1 is the header) and verifies the file as `earmark verify --file` does. */
  async function verifyEdited(lineNo: number, edit: (line: string) => string): Promise<VerifyReport> {
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[lineNo - 1] = edit(lines[lineNo - 1]);
    await writeFile(path, lines.join('\n'));
    const opened = await openExport(path);
    return verifyLedgerStream(opened.pages(), { checkpoint: opened.checkpoint, registry });
  }

  const clean: VerifyReport = {
    ok: true,
    events: 3,
    checkedThrough: 3n,
    checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
  };

  it('passes a line whose members are in another order, spaced, or escaped: the parsed event decides', async () => {
    expect(await verifyEdited(3, (line) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line)).reverse())))).toEqual(clean);
    expect(await verifyEdited(3, (line) => JSON.stringify(JSON.parse(line), null, 1).replace(/\n/g, ''))).toEqual(clean);
    expect(await verifyEdited(3, (line) => line.replace('"sc-finance"', '"sc-\\u0066inance"'))).toEqual(clean);
  });

  it('finds an amount changed in a line, as verifyLedger finds it in memory', async () => {
    const report = await verifyEdited(3, (line) => line.replace('"amountFen":"1000000"', '"amountFen":"9000000"'));
    expect(report).toEqual(verifyLedger({ events: log.map((e) => (e.position === 2n ? { ...e, data: { ...e.data, amountFen: '9000000' } } : e)), registry }));
    expect(report.reason).toBe('position 2: hash does not match its contents');
  });

  it('finds a member given twice, of which the event read keeps the second', async () => {
    // The hashed bytes hold the first amount; the parsed event, and so the replay, the second.
    const report = await verifyEdited(3, (line) => line.replace('"amountFen":"1000000"', '"amountFen":"1000000","amountFen":"290000000"'));
    expect(report.reason).toBe('position 2: hash does not match its contents');
  });

  it('passes a member the event does not have, added at the top of a line: the event read is the one hashed', async () => {
    expect(await verifyEdited(3, (line) => line.replace('{"position"', '{"note":"ignored","position"'))).toEqual(clean);
  });

  it('finds a member added inside the data, which the replay would read', async () => {
    const report = await verifyEdited(3, (line) => line.replace('"data":{', '"data":{"toRegionCode":"510104",'));
    expect(report.reason).toBe('position 2: hash does not match its contents');
  });
});

describe('an export with lone CR line breaks', () => {
  it('reads as readline reads it: each CR ends a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earmark-export-cr-'));
    try {
      const path = join(dir, 'ledger.jsonl');
      await writeExport(path, { events, checkpoint: null, exportedAt: '2024-03-06T00:00:01Z' });
      await writeFile(path, (await readFile(path, 'utf8')).replace(/\n/g, '\r'));
      const opened = await openExport(path);
      const read: RecordedEvent[] = [];
      for await (const page of opened.pages(7)) read.push(...page);
      expect(read).toEqual(events);
      expect(await verifyLedgerStream((await openExport(path)).pages(), { registry })).toEqual(verifyLedger({ events, registry }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
