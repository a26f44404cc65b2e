import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { chinaDateOf, isCalendarDate } from '@earmark/domain';
import { sha256, sha256Hex } from '@earmark/event-store';

export type Role = 'finance' | 'operator' | 'auditor';

export interface ApiKey {
  readonly name: string;
  readonly role: Role;
  /** Region codes, or ["*"] for all. */
  readonly regions: readonly string[];
  readonly tokenSha256: string;
  /** YYYY-MM-DD: the key stops working when this day begins (00:00 UTC). Absent: no expiry. */
  readonly expiresOn?: string;
  /** RFC 3339: when `keys revoke` retired it; kept so the name stays taken and `keys list` shows it. */
  readonly revokedAt?: string;
}

export const roles: readonly Role[] = ['finance', 'operator', 'auditor'];

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function newToken(): string {
  return `em_${randomBytes(24).toString('base64url')}`;
}

export function parseKeysFile(text: string, source: string): ApiKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`keys file ${source} is not JSON`);
  }
  if (!Array.isArray(parsed)) throw new Error(`keys file ${source} must hold an array`);
  return parsed.map((entry: unknown, index) => {
    const key = entry as Partial<ApiKey>;
    const where = `keys file ${source}, entry ${index + 1}`;
    if (typeof key.name !== 'string' || key.name === '') throw new Error(`${where}: name is required`);
    if (!roles.includes(key.role as Role)) throw new Error(`${where}: role must be finance, operator or auditor`);
    if (!Array.isArray(key.regions) || key.regions.some((r) => typeof r !== 'string')) {
      throw new Error(`${where}: regions must be an array of codes or ["*"]`);
    }
    if (typeof key.tokenSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(key.tokenSha256)) {
      throw new Error(`${where}: tokenSha256 must be 64 lowercase hex characters`);
    }
    if (key.expiresOn !== undefined && !(typeof key.expiresOn === 'string' && isCalendarDate(key.expiresOn))) {
      throw new Error(`${where}: expiresOn must be a date written YYYY-MM-DD`);
    }
    if (key.revokedAt !== undefined && !(typeof key.revokedAt === 'string' && !Number.isNaN(Date.parse(key.revokedAt)))) {
      throw new Error(`${where}: revokedAt must be an RFC 3339 timestamp`);
    }
    if (parsed.slice(0, index).some((other) => (other as Partial<ApiKey>)?.name === key.name)) {
      throw new Error(`${where}: the name ${key.name} is used twice`);
    }
    return {
      name: key.name,
      role: key.role as Role,
      regions: key.regions,
      tokenSha256: key.tokenSha256,
      ...(key.expiresOn !== undefined ? { expiresOn: key.expiresOn } : {}),
      ...(key.revokedAt !== undefined ? { revokedAt: key.revokedAt } : {}),
    };
  });
}

/**
 * Whether a key may still be used at `now`: not revoked, and its expiry day not yet begun in
 * China (UTC+8), the calendar every date of the ledger is read in.
 */
export function isKeyActive(key: ApiKey, now: Date): boolean {
  if (key.revokedAt !== undefined) return false;
  return key.expiresOn === undefined || chinaDateOf(now.toISOString()) < key.expiresOn;
}

export function readKeysFile(path: string): ApiKey[] {
  return parseKeysFile(readFileSync(path, 'utf8'), path);
}

/**
 * Written to a temporary file and renamed over the old one, so that a running service reloading
 * the file never reads half of it.
 */
export function writeKeysFile(path: string, keys: readonly ApiKey[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The regions a key lists that the registry does not know (`*` is every region). */
export function unknownRegionsOf(regions: readonly string[], registry: { has(code: string): boolean }): string[] {
  return regions.filter((code) => code !== '*' && !registry.has(code));
}

/**
 * Adds a key with a fresh random token; returns the token, which is shown once and never stored.
 * A key naming a region the registry does not know is refused: it would silently cover nothing.
 */
export function addKey(
  path: string,
  name: string,
  role: Role,
  regions: readonly string[],
  registry: { has(code: string): boolean },
  expiresOn?: string,
): string {
  const unknown = unknownRegionsOf(regions, registry);
  if (unknown.length > 0) {
    throw new Error(`refused: ${unknown.join(', ')} not in the region registry; no key was added`);
  }
  const keys = existsSync(path) ? readKeysFile(path) : [];
  if (keys.some((k) => k.name === name)) throw new Error(`a key named ${name} already exists`);
  const token = newToken();
  writeKeysFile(path, [...keys, { name, role, regions, tokenSha256: hashToken(token), ...(expiresOn ? { expiresOn } : {}) }]);
  return token;
}

/** Local development only: one key per role over every region, tokens returned to be printed. */
export function createDevelopmentKeys(path: string): { name: string; role: Role; token: string }[] {
  const created = roles.map((role) => ({ name: `dev-${role}`, role, token: newToken() }));
  writeKeysFile(
    path,
    created.map(({ name, role, token }) => ({ name, role, regions: ['*'], tokenSha256: hashToken(token) })),
  );
  return created;
}

/**
 * The keys the service accepts. Every stored hash is compared with the presented token's hash in
 * constant time, and all of them are compared, so that the time taken tells nothing about which
 * hash came close. The keys are replaced as a whole when the keys file changes.
 */
export class ApiKeyRing {
  private keys: readonly { readonly key: ApiKey; readonly hash: Buffer }[];
  constructor(keys: readonly ApiKey[], private readonly clock: () => Date = () => new Date()) {
    this.keys = ApiKeyRing.index(keys);
  }
  /** The active key the token belongs to; undefined for an unknown, expired or revoked token. */
  find(token: string): ApiKey | undefined {
    const presented = sha256(token);
    let found: ApiKey | undefined;
    for (const { key, hash } of this.keys) {
      if (timingSafeEqual(presented, hash) && found === undefined) found = key;
    }
    return found !== undefined && isKeyActive(found, this.clock()) ? found : undefined;
  }
  replace(keys: readonly ApiKey[]): void {
    this.keys = ApiKeyRing.index(keys);
  }
  get size(): number {
    return this.keys.length;
  }
  private static index(keys: readonly ApiKey[]) {
    return keys.map((key) => ({ key, hash: Buffer.from(key.tokenSha256, 'hex') }));
  }
}

function editKey(path: string, name: string, edit: (key: ApiKey) => ApiKey): void {
  const keys = existsSync(path) ? readKeysFile(path) : [];
  const index = keys.findIndex((k) => k.name === name);
  if (index < 0) throw new Error(`no key named ${name} in ${path}`);
  writeKeysFile(path, keys.map((key, i) => (i === index ? edit(key) : key)));
}

/** Retires a key for good: its token stops working; the entry stays, marked, for the record. */
export function revokeKey(path: string, name: string, now: Date): void {
  editKey(path, name, (key) => {
    if (key.revokedAt !== undefined) throw new Error(`key ${name} was already revoked at ${key.revokedAt}`);
    return { ...key, revokedAt: now.toISOString() };
  });
}

/** Gives a key a new token (same name, role, regions and expiry); the old token stops working. */
export function rotateKey(path: string, name: string): string {
  const token = newToken();
  editKey(path, name, (key) => {
    if (key.revokedAt !== undefined) throw new Error(`key ${name} is revoked; add a new key instead`);
    return { ...key, tokenSha256: hashToken(token) };
  });
  return token;
}
