import { sign } from 'node:crypto';
import { checkpointNote, generateSigningKey, keyIdOf, signCheckpoint, verifyCheckpoint, type Checkpoint } from '@earmark/audit';

/*
 * A fixed key so that signatures can be asserted exactly (Ed25519 signatures are deterministic):
 * the secret key of RFC 8032 §7.1 TEST 1, whose public key is d75a9801…511a. Expected values were
 * computed separately with Python's `cryptography` package, not with this code.
 */
const examplePrivateKeyPem = [
  '-----BEGIN PRIVATE KEY-----',
  'MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g',
  '-----END PRIVATE KEY-----',
  '',
].join('\n');
const examplePublicKeyPem = [
  '-----BEGIN PUBLIC KEY-----',
  'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  '-----END PUBLIC KEY-----',
  '',
].join('\n');

const body = {
  treeSize: 3,
  rootHash: '6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535',
  issuedAt: '2024-03-01T04:00:05Z',
};

const expected: Checkpoint = {
  ...body,
  signature: '1vxk6wqngl59d5rLrUfiBMr4RN0qaYCTpDvPlYmSjqBDfKFfH6iaOyL99NZYafa1rKMj+QyxDcp+BcJJyt33Bw==',
  keyId: '06e3fd8fda29bb60',
};

describe('signed checkpoints', () => {
  it('is pure Ed25519: the RFC 8032 TEST 1 key signs the empty message as the RFC says', () => {
    expect(sign(null, Buffer.alloc(0), examplePrivateKeyPem).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('signs exactly the note earmark-checkpoint/v1, tree size, root, time', () => {
    expect(checkpointNote(body)).toBe(
      'earmark-checkpoint/v1\n3\n6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535\n2024-03-01T04:00:05Z\n',
    );
    expect(signCheckpoint(body, examplePrivateKeyPem)).toEqual(expected);
  });

  it('names the key by the first 16 hex digits of SHA-256 over its SubjectPublicKeyInfo', () => {
    expect(keyIdOf(examplePublicKeyPem)).toBe('06e3fd8fda29bb60');
  });

  it('verifies with the public key', () => {
    expect(verifyCheckpoint(expected, examplePublicKeyPem)).toBe(true);
  });

  it('fails when one byte of the signature is flipped', () => {
    const bytes = Buffer.from(expected.signature, 'base64');
    bytes[10] ^= 0x01;
    expect(verifyCheckpoint({ ...expected, signature: bytes.toString('base64') }, examplePublicKeyPem)).toBe(false);
  });

  it('fails when any signed field changes', () => {
    expect(verifyCheckpoint({ ...expected, treeSize: 4 }, examplePublicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, rootHash: `7${expected.rootHash.slice(1)}` }, examplePublicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, issuedAt: '2024-03-01T04:00:06Z' }, examplePublicKeyPem)).toBe(false);
  });

  it('fails with another key, or a keyId that is not the key’s', () => {
    const other = generateSigningKey();
    expect(verifyCheckpoint(expected, other.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, keyId: other.keyId }, examplePublicKeyPem)).toBe(false);
  });

  it('fails on malformed fields rather than throwing', () => {
    expect(verifyCheckpoint({ ...expected, signature: expected.signature.replace('==', '') }, examplePublicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, rootHash: expected.rootHash.toUpperCase() }, examplePublicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, treeSize: -1 }, examplePublicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...expected, issuedAt: '2024-03-01 04:00:05' }, examplePublicKeyPem)).toBe(false);
  });

  it('refuses to sign a body that cannot be written as a note', () => {
    expect(() => signCheckpoint({ ...body, issuedAt: '2024-03-01T04:00:05Z\nforged' }, examplePrivateKeyPem)).toThrow(TypeError);
    expect(() => signCheckpoint({ ...body, treeSize: 1.5 }, examplePrivateKeyPem)).toThrow(TypeError);
  });

  it('generates keys that sign and verify, with a matching keyId', () => {
    const key = generateSigningKey();
    expect(key.keyId).toBe(keyIdOf(key.publicKeyPem));
    const checkpoint = signCheckpoint(body, key.privateKeyPem);
    expect(checkpoint.keyId).toBe(key.keyId);
    expect(verifyCheckpoint(checkpoint, key.publicKeyPem)).toBe(true);
  });

  it('throws for a public key that is not Ed25519: a configuration error, not a forged checkpoint', () => {
    expect(() => verifyCheckpoint(expected, 'not a key')).toThrow();
  });
});
