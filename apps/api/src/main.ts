import 'reflect-metadata';
import { readFileSync, existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  defaultProgramCode,
  describeNotice,
  importNotice,
  loadConfig,
  loadKeys,
  loadRegistry,
  loadSigningKey,
  openInfrastructure,
  type EarmarkConfig,
} from '@earmark/runtime';
import { createEarmarkApp } from './create-app';
import { writeDevelopmentTokens } from './auth/development-tokens';
import { KeysFileWatcher } from './auth/keys-file-watcher';
import { stopGracefullyOnSignals } from './ops/graceful-shutdown';

/** Starts the service: store, keys, the seed notice on an empty store, then HTTP. */
export async function serve(config: EarmarkConfig = loadConfig()): Promise<void> {
  const logger = new Logger('Earmark');
  const registry = loadRegistry(config);
  const keys = loadKeys(config, registry);
  // Before the store opens: a production service without its key must not start at all.
  const signingKey = loadSigningKey(config);
  const infrastructure = await openInfrastructure(config);
  const app = await createEarmarkApp(infrastructure, keys.ring);
  if (config.seedNotice && existsSync(config.seedNotice) && (await infrastructure.store.headPosition()) === 0n) {
    const outcome = await importNotice(app.get(CommandBus), infrastructure.registry, readFileSync(config.seedNotice, 'utf8'), {
      programCode: defaultProgramCode,
      dryRun: false,
    });
    // Another process sharing the database may have loaded it first.
    if (outcome.allocation?.kind === 'refused' && outcome.allocation.code === 'duplicate-document') {
      logger.log('seed notice already recorded by another process');
    } else {
      logger.log(`seed notice loaded: ${describeNotice(outcome.parsed)}`);
    }
  }
  const keysWatcher = new KeysFileWatcher(keys.path, keys.ring, registry, new Logger('Keys')).start();
  await app.listen({ port: config.port, host: config.host });
  // A wildcard address is reachable on loopback too; any other is shown as configured.
  const reachableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${config.port}`;
  const lines = [
    `Earmark is serving on ${base}, listening on ${config.host} (store: ${config.store}${config.store === 'sqlite' ? `, data in ${config.dataDir}` : ''})`,
    `  API        ${base}/v1/health`,
    `  OpenAPI    ${base}/docs`,
    `  Dashboard  ${base}/dashboard`,
    `  Keys file  ${keys.path} (changes are picked up while running)`,
    `  Checkpoints signed with key ${signingKey.keyId} (${signingKey.created ? 'created now: ' : ''}${signingKey.path})`,
  ];
  if (keys.developmentTokens) {
    const tokensFile = writeDevelopmentTokens(keys.path, keys.developmentTokens);
    lines.push(`  LOCAL DEVELOPMENT KEYS created, one per role over every region: their tokens are in ${tokensFile} (mode 0600)`);
  }
  // JSON logs stay all JSON: the notice is then one log entry per line.
  if (config.logFormat === 'json') for (const line of lines) logger.log(line.trim());
  else process.stdout.write(`${lines.join('\n')}\n`);
  stopGracefullyOnSignals(app, () => infrastructure.close(), (message) => logger.log(message), () => keysWatcher.stop());
}

/** Serves, or exits with 1 and the reason when the service cannot start. */
export function main(): void {
  serve().catch((error: unknown) => {
    process.stderr.write(`earmark: ${(error as Error).message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main();
