import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { sha256Hex } from '@earmark/event-store';

/**
 * A signed checkpoint: the ledger's statement "my first treeSize events have this Merkle root",
 * signed with Ed25519 (RFC 8032, pure: no pre-hash). The signed bytes are the UTF-8 note
 *
 *     earmark-checkpoint/v1\n<treeSize>\n<rootHash>\n<issuedAt>\n
 *
 * (docs/hash-chain.md). A text note rather than JSON, so another language needs no
 * canonicalisation to rebuild it, and a fixed first line, so a signature over a checkpoint can
 * never be replayed as a signature over anything else the key signs.
 */
export const checkpointFormat = 'earmark-checkpoint/v1';

export interface CheckpointBody {
  /** How many events, from position 1, the root covers. */
  readonly treeSize: number;
  /** The RFC 9162 Merkle root of their hashes, 64 lowercase hex digits. */
  readonly rootHash: string;
  /** RFC 3339 UTC, as the issuer's clock read it. */
  readonly issuedAt: string;
}

export interface Checkpoint extends CheckpointBody {
  /** The Ed25519 signature of the note, 64 bytes in standard base64 with padding. */
  readonly signature: string;
  /** keyIdOf(the public key): which key to check it with. */
  readonly keyId: string;
}

export interface SigningKey {
  /** PKCS#8 PEM: keep it secret. */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo PEM: hand it to auditors. */
  readonly publicKeyPem: string;
  readonly keyId: string;
}

const rootHashPattern = /^[0-9a-f]{64}$/;
const keyIdPattern = /^[0-9a-f]{16}$/;
const rfc3339UtcPattern = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$/;
/** 64 bytes in base64 are exactly 86 characters and "==": one spelling per signature. */
const signaturePattern = /^[A-Za-z0-9+/]{86}==$/;

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** The first 16 hex digits of SHA-256 over the key's DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: string | KeyObject): string {
  const key = readEd25519PublicKey(publicKey);
  const der = key.export({ type: 'spki', format: 'der' });
  return sha256Hex(der).slice(0, 16);
}

/** The exact bytes a checkpoint's signature covers. Throws on a body that cannot be signed. */
export function checkpointNote(body: CheckpointBody): string {
  const problem = checkpointBodyProblem(body);
  if (problem) throw new TypeError(`cannot sign this checkpoint: ${problem}`);
  return `${checkpointFormat}\n${body.treeSize}\n${body.rootHash}\n${body.issuedAt}\n`;
}

export function signCheckpoint(body: CheckpointBody, privateKeyPem: string): Checkpoint {
  const note = checkpointNote(body);
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`a checkpoint is signed with an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  }
  const signature = sign(null, Buffer.from(note, 'utf8'), privateKey).toString('base64');
  return {
    treeSize: body.treeSize,
    rootHash: body.rootHash,
    signature,
    keyId: keyIdOf(createPublicKey(privateKey)),
    issuedAt: body.issuedAt,
  };
}

/**
 * True only when the checkpoint is well formed, names this key, and its signature verifies.
 * A malformed or forged checkpoint is false; an unreadable or non-Ed25519 public key throws,
 * because that is the caller's configuration, not evidence about the ledger.
 */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKeyPem: string): boolean {
  const publicKey = readEd25519PublicKey(publicKeyPem);
  if (checkpointBodyProblem(checkpoint) !== null) return false;
  if (typeof checkpoint.keyId !== 'string' || !keyIdPattern.test(checkpoint.keyId)) return false;
  if (checkpoint.keyId !== keyIdOf(publicKey)) return false;
  if (typeof checkpoint.signature !== 'string' || !signaturePattern.test(checkpoint.signature)) return false;
  const note = Buffer.from(checkpointNote(checkpoint), 'utf8');
  return verify(null, note, publicKey, Buffer.from(checkpoint.signature, 'base64'));
}

/** Why a body cannot be part of a note, or null. */
export function checkpointBodyProblem(body: CheckpointBody): string | null {
  if (typeof body !== 'object' || body === null) return 'not an object';
  if (!Number.isSafeInteger(body.treeSize) || body.treeSize < 0) return 'treeSize is not a whole number ≥ 0';
  if (typeof body.rootHash !== 'string' || !rootHashPattern.test(body.rootHash)) {
    return 'rootHash is not 64 lowercase hex digits';
  }
  if (typeof body.issuedAt !== 'string' || !rfc3339UtcPattern.test(body.issuedAt) || Number.isNaN(Date.parse(body.issuedAt))) {
    return 'issuedAt is not an RFC 3339 UTC timestamp';
  }
  return null;
}

function readEd25519PublicKey(publicKey: string | KeyObject): KeyObject {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (key.type !== 'public') throw new TypeError(`expected a public key, got a ${key.type} key`);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`checkpoints are signed with Ed25519, not ${key.asymmetricKeyType}`);
  }
  return key;
}
