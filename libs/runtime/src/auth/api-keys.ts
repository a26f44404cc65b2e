import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Role = 'finance' | 'operator' | 'auditor';

export interface ApiKey {
  readonly name: string;
  readonly role: Role;
  /** Region codes, or ["*"] for all. */
  readonly regions: readonly string[];
  readonly tokenSha256: string;
}

export const roles: readonly Role[] = ['finance', 'operator', 'auditor'];

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
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
    return { name: key.name, role: key.role as Role, regions: key.regions, tokenSha256: key.tokenSha256 };
  });
}

export function readKeysFile(path: string): ApiKey[] {
  return parseKeysFile(readFileSync(path, 'utf8'), path);
}

export function writeKeysFile(path: string, keys: readonly ApiKey[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
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
): string {
  const unknown = unknownRegionsOf(regions, registry);
  if (unknown.length > 0) {
    throw new Error(`refused: ${unknown.join(', ')} not in the region registry; no key was added`);
  }
  const keys = existsSync(path) ? readKeysFile(path) : [];
  if (keys.some((k) => k.name === name)) throw new Error(`a key named ${name} already exists`);
  const token = newToken();
  writeKeysFile(path, [...keys, { name, role, regions, tokenSha256: hashToken(token) }]);
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

/** Looks tokens up by their hash, so that the tokens themselves are never held. */
export class ApiKeyRing {
  private readonly byHash: Map<string, ApiKey>;
  constructor(keys: readonly ApiKey[]) {
    this.byHash = new Map(keys.map((key) => [key.tokenSha256, key]));
  }
  find(token: string): ApiKey | undefined {
    return this.byHash.get(hashToken(token));
  }
  get size(): number {
    return this.byHash.size;
  }
}
