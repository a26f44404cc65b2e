import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, hashToken, parseKeysFile, type ApiKey } from '@earmark/runtime';
import { KeysFileWatcher } from '../src/auth/keys-file-watcher';

const key = (name: string, token: string, extra: Partial<ApiKey> = {}): ApiKey => ({
  name,
  role: 'operator',
  regions: ['*'],
  tokenSha256: hashToken(token),
  ...extra,
});

describe('the key ring', () => {
  const at = (iso: string) => () => new Date(iso);

  it('finds a key by its token, and nothing for another token', () => {
    const ring = new ApiKeyRing([key('a', 'token-a'), key('b', 'token-b')], at('2026-06-01T00:00:00Z'));
    expect(ring.find('token-b')?.name).toBe('b');
    expect(ring.find('token-c')).toBeUndefined();
    expect(ring.find('')).toBeUndefined();
  });

  it('a key works until its expiry day begins in China (00:00 UTC+8), not from then on', () => {
    const keys = [key('a', 't', { expiresOn: '2026-12-31' })];
    expect(new ApiKeyRing(keys, at('2026-12-30T15:59:59.999Z')).find('t')?.name).toBe('a');
    expect(new ApiKeyRing(keys, at('2026-12-30T16:00:00.000Z')).find('t')).toBeUndefined();
  });

  it('a revoked key finds nothing', () => {
    expect(new ApiKeyRing([key('a', 't', { revokedAt: '2026-01-01T00:00:00.000Z' })]).find('t')).toBeUndefined();
  });

  it('a file of the first format (no expiry, no revocation) reads unchanged', () => {
    const old = [{ name: 'a', role: 'finance', regions: ['510100'], tokenSha256: hashToken('t') }];
    expect(parseKeysFile(JSON.stringify(old), 'old.json')).toEqual(old);
  });

  it('refuses an impossible expiry date, a bad revocation time and a name used twice', () => {
    expect(() => parseKeysFile(JSON.stringify([key('a', 't', { expiresOn: '2026-02-30' })]), 'f')).toThrow(
      'keys file f, entry 1: expiresOn must be a date written YYYY-MM-DD',
    );
    expect(() => parseKeysFile(JSON.stringify([key('a', 't', { revokedAt: 'yesterday' })]), 'f')).toThrow(
      'keys file f, entry 1: revokedAt must be an RFC 3339 timestamp',
    );
    expect(() => parseKeysFile(JSON.stringify([key('a', 't'), key('a', 'u')]), 'f')).toThrow('keys file f, entry 2: the name a is used twice');
  });
});

describe('the keys file watcher', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'earmark-ring-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const registry = { has: (code: string) => code === '510100' };

  it('replaces the keys when the file changes; a bad file keeps the last good keys and says why', () => {
    const path = join(dir, 'keys.json');
    writeFileSync(path, JSON.stringify([key('a', 'token-a')]));
    const ring = new ApiKeyRing([key('a', 'token-a')]);
    const said: string[] = [];
    const watcher = new KeysFileWatcher(path, ring, registry, { log: (m) => said.push(`log ${m}`), warn: (m) => said.push(`warn ${m}`) });

    watcher.check();
    expect(said).toEqual([]);

    writeFileSync(path, JSON.stringify([key('a', 'token-a'), key('b', 'token-b', { regions: ['510100'] })]));
    watcher.check();
    expect(ring.find('token-b')?.name).toBe('b');

    writeFileSync(path, '[{"name": "c", ');
    watcher.check();
    expect(ring.find('token-b')?.name).toBe('b');

    writeFileSync(path, JSON.stringify([key('c', 'token-c', { regions: ['519999'] })]));
    watcher.check();
    expect(ring.find('token-c')).toBeUndefined();
    expect(ring.find('token-a')?.name).toBe('a');

    expect(said).toEqual([
      'log keys file reloaded: 2 keys',
      `warn keys file not reloaded, the last good keys stay in force: keys file ${path} is not JSON`,
      `warn keys file not reloaded, the last good keys stay in force: keys file ${path}: key c names 519999, not in the region registry`,
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain('token-c');
  });
});
