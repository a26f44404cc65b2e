import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportFormatError, readExport, verifyLedger, writeExport } from '@earmark/audit';
import type { RecordedEvent } from '@earmark/event-store';
import { registry } from './support/ledger-fixture';
import { signedSample } from './support/signed-sample';

const { events, key, checkpoint } = signedSample();

describe('the export file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'earmark-export-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back exactly what was written, and the result verifies', async () => {
    const path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events, checkpoint, publicKeyPem: key.publicKeyPem, exportedAt: '2024-03-06T00:00:01Z' });
    const read = await readExport(path);
    expect(read).toEqual({ exportedAt: '2024-03-06T00:00:01Z', events, checkpoint, publicKeyPem: key.publicKeyPem });
    expect(verifyLedger({ events: read.events, checkpoint: read.checkpoint, publicKeyPem: key.publicKeyPem, registry }).ok).toBe(true);
  });

  it('writes a header, one line per event with bigints as strings, and a trailer', async () => {
    const path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events, checkpoint, exportedAt: '2024-03-06T00:00:01Z' });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('{"format":"earmark-export/v1","exportedAt":"2024-03-06T00:00:01Z","events":4}');
    expect(JSON.parse(lines[2])).toMatchObject({ position: '2', streamVersion: '1', hash: events[1].hash });
    expect(JSON.parse(lines[5])).toEqual({ checkpoint });
    expect(lines[6]).toBe('');
  });

  it('streams from an async source page by page', async () => {
    async function* pages(): AsyncGenerator<RecordedEvent> {
      for (const event of events) yield event;
    }
    const path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events: pages(), eventCount: events.length, checkpoint: null, exportedAt: '2024-03-06T00:00:01Z' });
    expect(await readExport(path)).toEqual({ exportedAt: '2024-03-06T00:00:01Z', events, checkpoint: null });
  });

  it('leaves no file behind when the source breaks its promise', async () => {
    const path = join(dir, 'ledger.jsonl');
    await expect(writeExport(path, { events: [events[1], events[0]] })).rejects.toThrow('ascending position order');
    await expect(stat(path)).rejects.toThrow();
    await expect(stat(`${path}.partial`)).rejects.toThrow();
  });

  it('reports a file that cannot be written', async () => {
    await expect(writeExport(join(dir, 'missing', 'ledger.jsonl'), { events })).rejects.toThrow('ENOENT');
  });

  it('refuses a file cut short, with text after the trailer, or of another format', async () => {
    const path = join(dir, 'ledger.jsonl');
    await writeExport(path, { events, checkpoint, exportedAt: '2024-03-06T00:00:01Z' });
    const lines = (await readFile(path, 'utf8')).split('\n');

    await writeFile(path, `${lines.slice(0, 4).join('\n')}\n`);
    await expect(readExport(path)).rejects.toThrow(new ExportFormatError('the header announces 4 events, the file holds 3'));

    await writeFile(path, `${lines.slice(0, 5).join('\n')}\n`);
    await expect(readExport(path)).rejects.toThrow(new ExportFormatError('the trailer is missing: the file is cut short'));

    await writeFile(path, `${lines.join('\n')}{}\n`);
    await expect(readExport(path)).rejects.toThrow(new ExportFormatError('line 7: text after the trailer'));

    await writeFile(path, `${lines[0].replace('v1', 'v2')}\n`);
    await expect(readExport(path)).rejects.toThrow(
      new ExportFormatError('line 1: format is "earmark-export/v2", expected "earmark-export/v1"'),
    );
  });
});
