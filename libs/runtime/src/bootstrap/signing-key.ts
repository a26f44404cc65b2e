import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSigningKey, keyIdOf, type SigningKey } from '@earmark/audit';
import type { EarmarkConfig } from '../config/earmark-config';

export const signingKeyFileName = 'signing-key.pem';

export interface LoadedSigningKey extends SigningKey {
  readonly path: string;
  /** True when this start created the key: its public half has not been handed to anyone yet. */
  readonly created: boolean;
}

/** Where the service looks for its key: EARMARK_SIGNING_KEY_FILE, else the data folder. */
export function signingKeyPath(config: EarmarkConfig): string {
  return config.signingKeyFile ?? join(config.dataDir, signingKeyFileName);
}

/**
 * The key that signs checkpoints. A development service creates one in the data folder on first
 * start; a production service refuses to start without one, because a key made up on the spot
 * would sign checkpoints that no auditor has the public half of.
 */
export function loadSigningKey(config: EarmarkConfig): LoadedSigningKey {
  const path = signingKeyPath(config);
  if (existsSync(path)) return { ...readSigningKeyFile(path), path, created: false };
  if (config.signingKeyFile) throw new Error(`EARMARK_SIGNING_KEY_FILE names ${path}, which does not exist`);
  if (config.production) {
    throw new Error(
      'NODE_ENV=production needs a checkpoint signing key: create one with `earmark keys signing --out FILE`, ' +
        'give its public key to the auditors, and set EARMARK_SIGNING_KEY_FILE to FILE',
    );
  }
  const key = generateSigningKey();
  try {
    writeSigningKeyFile(path, key.privateKeyPem);
  } catch (error) {
    // Another process on the same data folder created it first: both must sign with that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { ...readSigningKeyFile(path), path, created: false };
  }
  return { ...key, path, created: true };
}

/** The public half, when a key file exists; for commands that only check signatures. */
export function findPublicKey(config: EarmarkConfig): { publicKeyPem: string; keyId: string; path: string } | null {
  const path = signingKeyPath(config);
  if (!existsSync(path)) return null;
  const { publicKeyPem, keyId } = readSigningKeyFile(path);
  return { publicKeyPem, keyId, path };
}

export function readSigningKeyFile(path: string): SigningKey {
  let privateKey;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${path} holds a ${privateKey.asymmetricKeyType} key; checkpoints are signed with Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** Readable by its owner only, and never over an existing key: losing a key orphans its checkpoints. */
export function writeSigningKeyFile(path: string, privateKeyPem: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, privateKeyPem, { mode: 0o600, flag: 'wx' });
  // The mode given to open() is narrowed by the umask, never widened; chmod states it exactly.
  chmodSync(path, 0o600);
}
