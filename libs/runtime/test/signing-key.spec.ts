import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyIdOf, signCheckpoint, verifyCheckpoint } from '@earmark/audit';
import { loadSigningKey } from '../src/bootstrap/signing-key';
import { loadConfig } from '../src/config/earmark-config';

describe('the checkpoint signing key', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'earmark-signing-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('outside production, the first start creates <data>/signing-key.pem (0600); later starts read the same key', () => {
    const config = loadConfig({ EARMARK_DATA_DIR: dataDir });
    const first = loadSigningKey(config);
    expect(first).toMatchObject({ path: join(dataDir, 'signing-key.pem'), created: true });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.keyId).toBe(keyIdOf(first.publicKeyPem));

    const again = loadSigningKey(config);
    expect(again).toMatchObject({ path: first.path, created: false, keyId: first.keyId, publicKeyPem: first.publicKeyPem });
    const checkpoint = signCheckpoint(
      { treeSize: 1, rootHash: 'ab'.repeat(32), issuedAt: '2024-03-01T04:00:05Z' },
      again.privateKeyPem,
    );
    expect(verifyCheckpoint(checkpoint, first.publicKeyPem)).toBe(true);
  });

  it('NODE_ENV=production without a key file refuses, naming the command that makes one, and creates nothing', () => {
    const config = loadConfig({ EARMARK_DATA_DIR: dataDir, NODE_ENV: 'production' });
    expect(() => loadSigningKey(config)).toThrow(
      'NODE_ENV=production needs a checkpoint signing key: create one with `earmark keys signing --out FILE`',
    );
    expect(existsSync(join(dataDir, 'signing-key.pem'))).toBe(false);
  });

  it('EARMARK_SIGNING_KEY_FILE naming a missing file is refused, in development too', () => {
    const missing = join(dataDir, 'missing.pem');
    expect(() => loadSigningKey(loadConfig({ EARMARK_DATA_DIR: dataDir, EARMARK_SIGNING_KEY_FILE: missing }))).toThrow(
      `EARMARK_SIGNING_KEY_FILE names ${missing}, which does not exist`,
    );
  });

  it('a key file holding another kind of key is refused', () => {
    const file = join(dataDir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadSigningKey(loadConfig({ EARMARK_DATA_DIR: dataDir, EARMARK_SIGNING_KEY_FILE: file }))).toThrow(
      `${file} holds a rsa key; checkpoints are signed with Ed25519`,
    );
  });
});
