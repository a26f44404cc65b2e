import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RegionRegistry } from '@earmark/domain';
import type { EarmarkConfig } from '../config/earmark-config';
import { ApiKeyRing, createDevelopmentKeys, readKeysFile, unknownRegionsOf, type ApiKey } from '../auth/api-keys';

export interface LoadedKeys {
  readonly ring: ApiKeyRing;
  readonly path: string;
  /** Set only when the keys were just created for local development: shown once. */
  readonly developmentTokens: { name: string; role: string; token: string }[] | null;
}

/**
 * The keys file named by EARMARK_KEYS_FILE, else `keys.json` in the data folder. Without one, a
 * development service creates one key per role; a production service refuses to start. A file
 * whose keys name regions the registry does not know (edited by hand) stops the start too.
 */
export function loadKeys(config: EarmarkConfig, registry: RegionRegistry): LoadedKeys {
  const read = (path: string): ApiKeyRing => new ApiKeyRing(knownRegionsOnly(readKeysFile(path), path, registry));
  if (config.keysFile) {
    if (!existsSync(config.keysFile)) throw new Error(`EARMARK_KEYS_FILE names ${config.keysFile}, which does not exist`);
    return { ring: read(config.keysFile), path: config.keysFile, developmentTokens: null };
  }
  const path = join(config.dataDir, 'keys.json');
  if (existsSync(path)) return { ring: read(path), path, developmentTokens: null };
  if (config.production) {
    throw new Error('NODE_ENV=production needs a keys file: set EARMARK_KEYS_FILE (create keys with `earmark keys add`)');
  }
  const developmentTokens = createDevelopmentKeys(path);
  return { ring: read(path), path, developmentTokens };
}

function knownRegionsOnly(keys: ApiKey[], path: string, registry: RegionRegistry): ApiKey[] {
  for (const key of keys) {
    const unknown = unknownRegionsOf(key.regions, registry);
    if (unknown.length > 0) {
      throw new Error(`keys file ${path}: key ${key.name} names ${unknown.join(', ')}, not in the region registry`);
    }
  }
  return keys;
}
