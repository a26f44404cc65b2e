import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { LedgerSettings } from '@earmark/application';
import type { ApiKeyRing, Infrastructure } from '@earmark/runtime';
import { AppModule } from './app.module';
import { serveDashboardAssets } from './dashboard/dashboard-assets';
import { answerClientError, answerFrameworkError } from './http/fastify-errors';
import { useJsonBodyParser } from './http/json-body';
import { refuseWrongMethods } from './http/method-not-allowed';
import { createValidationPipe } from './http/validation';
import { protectOpenApiDocument, openApiUiOptions } from './ops/openapi-access';
import { refuseRequestsWhileClosing } from './ops/graceful-shutdown';
import { bufferedStdout, requestIdOf, useRequestLog } from './ops/request-log';

/** Bodies over this are refused with 413 before any work is done. */
export const maxBodyBytes = 1_048_576;

export async function createEarmarkApp(
  infrastructure: Infrastructure,
  keys: ApiKeyRing,
  options: {
    settings?: LedgerSettings;
    logger?: false | ('error' | 'warn' | 'log')[];
    /** Where the one line per request goes: stdout unless given; null for none. */
    requestLog?: ((text: string) => void) | null;
  } = {},
): Promise<NestFastifyApplication> {
  const format = infrastructure.config.logFormat;
  const levels = options.logger ?? ['error', 'warn', 'log'];
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(infrastructure, keys, options.settings),
    new FastifyAdapter({
      bodyLimit: maxBodyBytes,
      frameworkErrors: answerFrameworkError,
      clientErrorHandler: answerClientError,
      requestIdHeader: false,
      genReqId: requestIdOf,
      // Its own 503 while closing is bare JSON: refuseRequestsWhileClosing answers problem+json instead.
      return503OnClosing: false,
    }),
    // Nest's own parsers are off: the API reads bodies through one parser only (below).
    {
      logger: levels === false ? false : new ConsoleLogger({ json: format === 'json', colors: format === 'pretty', logLevels: levels }),
      abortOnError: false,
      bodyParser: false,
    },
  );
  // Before any route is registered, so that every route, the 404 handler's included, has only it.
  const fastify = app.getHttpAdapter().getInstance();
  useRequestLog(fastify, options.requestLog === undefined ? bufferedStdout() : options.requestLog, format);
  refuseRequestsWhileClosing(fastify);
  useJsonBodyParser(fastify, maxBodyBytes);
  refuseWrongMethods(fastify);
  protectOpenApiDocument(fastify, keys);
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Earmark')
      .setDescription(
        'Settlement ledger for earmarked public funds: HTTP API v2 (see API.md). Every path answers a method it does not take ' +
          'with 405 `method-not-allowed` (problem+json) and an `Allow` header listing the methods it does. ' +
          'A query parameter an endpoint does not read is a 400 `validation-failed` naming it (every GET reads `minPosition`). ' +
          'Every answer carries `X-Request-Id`: the client’s own when it is 1–128 of `[A-Za-z0-9._:-]`, else a new one. ' +
          'When the service sets EARMARK_RATE_LIMIT_PER_MINUTE, a key beyond it gets 429 `rate-limited` with `Retry-After` (seconds). ' +
          'While the service shuts down, new requests get 503 `unavailable` with `Connection: close`: nothing was recorded. ' +
          'This document (`/docs/json`) needs a token of any role.',
      )
      .setVersion('2')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, openApiUiOptions);
  serveDashboardAssets(app);
  await app.init();
  await fastify.ready();
  return app;
}
