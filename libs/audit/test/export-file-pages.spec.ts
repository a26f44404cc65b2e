import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportFormatError, openExport, trailerSearchBytes, verifyLedger, verifyLedgerStream, writeExport } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';
import { registry } from './support/ledger-fixture';
import { signedSample } from './support/signed-sample';

const { events, key, checkpoint } = signedSample();

async function allPages(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[][]> {
  const read: RecordedEvent[][] = [];
  for await (const page of pages) read.push(page);
  return read;
}

describe('an export read page by page', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earmark-export-pages-'));
    path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events, checkpoint, publicKeyPem: key.publicKeyPem, exportedAt: '2024-03-06T00:00:01Z' });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the header and the trailer first, then the events in pages', async () => {
    const opened = await openExport(path);
    expect(opened).toMatchObject({ exportedAt: '2024-03-06T00:00:01Z', eventCount: 4, checkpoint, publicKeyPem: key.publicKeyPem });
    expect(await allPages(opened.pages(3))).toEqual([events.slice(0, 3), events.slice(3)]);
  });

  it('verifies as the events in memory verify', async () => {
    const opened = await openExport(path);
    const report = await verifyLedgerStream(opened.pages(1), { checkpoint: opened.checkpoint, publicKeyPem: key.publicKeyPem, registry });
    expect(report).toEqual(verifyLedger({ events, checkpoint, publicKeyPem: key.publicKeyPem, registry }));
    expect(report).toEqual({
      ok: true,
      events: 4,
      checkedThrough: 4n,
      checks: { chain: 'passed', merkle: 'passed', signature: 'passed', balances: 'passed' },
    });
  });

  it('reads CRLF line ends and blank lines after the trailer', async () => {
    const text = await readFile(path, 'utf8');
    await writeFile(path, `${text.replace(/\n/g, '\r\n')}\r\n  \n`);
    const opened = await openExport(path);
    expect(opened.checkpoint).toEqual(checkpoint);
    expect(await allPages(opened.pages())).toEqual([events]);
  });

  it('finds a trailer longer than the end it searches by reading the file through', async () => {
    const longKey = 'k'.repeat(trailerSearchBytes + 1);
    await writeExport(path, { events, checkpoint, publicKeyPem: longKey, exportedAt: '2024-03-06T00:00:01Z' });
    const opened = await openExport(path);
    expect(opened.publicKeyPem).toBe(longKey);
    expect(await allPages(opened.pages())).toEqual([events]);
  });

  it('throws a broken line when the pages reach it, after the pages before it', async () => {
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[3] = lines[3].slice(0, -1);
    await writeFile(path, lines.join('\n'));
    const opened = await openExport(path);
    const read: RecordedEvent[][] = [];
    await expect(
      (async () => {
        for await (const page of opened.pages(1)) read.push(page);
      })(),
    ).rejects.toThrow(new ExportFormatError('line 4: not JSON'));
    expect(read).toEqual([[events[0]], [events[1]]]);
    await expect(verifyLedgerStream((await openExport(path)).pages(), { registry })).rejects.toThrow(new ExportFormatError('line 4: not JSON'));
  });

  it('refuses a file cut short when it is opened, as readExport does', async () => {
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, `${lines.slice(0, 4).join('\n')}\n`);
    await expect(openExport(path)).rejects.toThrow(new ExportFormatError('the header announces 4 events, the file holds 3'));
  });

  it('refuses a trailer that changed after the file was opened', async () => {
    const opened = await openExport(path);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[5] = JSON.stringify({ checkpoint: null });
    await writeFile(path, lines.join('\n'));
    await expect(allPages(opened.pages())).rejects.toThrow(new ExportFormatError('line 6: the file changed while it was read'));
  });
});
