import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerSettings } from '@earmark/application';
import { AppModule } from './app.module';
import type { ApiKeyRing } from './auth/api-keys';
import type { Infrastructure } from './bootstrap/infrastructure';
import { serveDashboardAssets } from './dashboard/dashboard-assets';
import { answerClientError, answerFrameworkError } from './http/fastify-errors';
import { useJsonBodyParser } from './http/json-body';
import { refuseWrongMethods } from './http/method-not-allowed';
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
    new FastifyAdapter({ bodyLimit: maxBodyBytes, frameworkErrors: answerFrameworkError, clientErrorHandler: answerClientError }),
    // Nest's own parsers are off: the API reads bodies through one parser only (below).
    { logger: options.logger ?? ['error', 'warn', 'log'], abortOnError: false, bodyParser: false },
  );
  // Before any route is registered, so that every route, the 404 handler's included, has only it.
  const fastify = app.getHttpAdapter().getInstance();
  useJsonBodyParser(fastify, maxBodyBytes);
  refuseWrongMethods(fastify);
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Earmark')
      .setDescription(
        'Settlement ledger for earmarked public funds: HTTP API v2 (see API.md). Every path answers a method it does not take ' +
          'with 405 `method-not-allowed` (problem+json) and an `Allow` header listing the methods it does.',
      )
      .setVersion('2')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  serveDashboardAssets(app);
  await app.init();
  await fastify.ready();
  return app;
}
