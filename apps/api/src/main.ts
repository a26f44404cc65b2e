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

/** Starts the service: store, keys, the seed notice on an empty store, then HTTP. */
export async function serve(config: EarmarkConfig = loadConfig()): Promise<void> {
  const logger = new Logger('Earmark');
  const keys = loadKeys(config, loadRegistry(config));
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
  await app.listen({ port: config.port, host: config.host });
  const base = `http://127.0.0.1:${config.port}`;
  const lines = [
    `Earmark is serving on ${base} (store: ${config.store}${config.store === 'sqlite' ? `, data in ${config.dataDir}` : ''})`,
    `  API        ${base}/v1/health`,
    `  OpenAPI    ${base}/docs`,
    `  Dashboard  ${base}/dashboard`,
    `  Keys file  ${keys.path}`,
    `  Checkpoints signed with key ${signingKey.keyId} (${signingKey.created ? 'created now: ' : ''}${signingKey.path})`,
  ];
  if (keys.developmentTokens) {
    lines.push('  LOCAL DEVELOPMENT KEYS (shown once; every region; do not use in production):');
    for (const { name, role, token } of keys.developmentTokens) lines.push(`    ${role.padEnd(8)} ${name.padEnd(14)} ${token}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const shutdown = async () => {
    await app.close();
    await infrastructure.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

/** Serves, or exits with 1 and the reason when the service cannot start. */
export function main(): void {
  serve().catch((error: unknown) => {
    process.stderr.write(`earmark: ${(error as Error).message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main();
