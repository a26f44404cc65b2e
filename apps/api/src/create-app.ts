import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerSettings } from '@earmark/application';
import { AppModule } from './app.module';
import type { ApiKeyRing } from './auth/api-keys';
import type { Infrastructure } from './bootstrap/infrastructure';
import { createValidationPipe } from './http/validation';

/** Bodies over this are refused with 413 before any work is done. */
export const maxBodyBytes = 1_048_576;

export async function createEarmarkApp(
  infrastructure: Infrastructure,
  keys: ApiKeyRing,
  options: { settings?: LedgerSettings; logger?: false | ('error' | 'warn' | 'log')[] } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(infrastructure, keys, options.settings),
    new FastifyAdapter({ bodyLimit: maxBodyBytes }),
    { logger: options.logger ?? ['error', 'warn', 'log'], abortOnError: false },
  );
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Earmark')
      .setDescription('Settlement ledger for earmarked public funds: HTTP API v2 (see API.md).')
      .setVersion('2')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  await app.init();
  // Bodies are JSON and nothing else (API.md): without these parsers, any other content type is
  // refused by Fastify as unsupported (415) instead of reaching validation as a string or a form.
  app.getHttpAdapter().getInstance().removeContentTypeParser(['text/plain', 'application/x-www-form-urlencoded']);
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
