import { problemBody } from '../http/problems';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/** A shutdown that has not finished by then exits with 1 rather than hang. */
export const shutdownWaitMs = 30_000;

/**
 * SIGTERM or SIGINT: new requests are answered 503 and `Connection: close` while those in flight
 * go on; once requests stop arriving, Fastify closes: the service stops accepting connections and
 * waits for the requests in flight, whose commands commit. Only then does Nest stop its modules (it would otherwise stop
 * them before closing the server, under running commands) and the store close. Exit 0.
 */
export function stopGracefullyOnSignals(
  app: NestFastifyApplication,
  closeStore: () => Promise<void>,
  log: (message: string) => void,
  beforeClose: () => void = () => undefined,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: new requests are refused with 503; finishing the requests in flight`);
    const limit = setTimeout(() => {
      log(`shutdown did not finish within ${shutdownWaitMs} ms; exiting`);
      process.exit(1);
    }, shutdownWaitMs);
    limit.unref();
    try {
      beforeClose();
      const fastify = app.getHttpAdapter().getInstance();
      await drain(fastify);
      await fastify.close();
      await app.close();
      await closeStore();
      log('stopped: every answered request is committed and the store is closed');
      process.exit(0);
    } catch (error) {
      log(`shutdown failed: ${(error as Error)?.name ?? 'error'}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** How the shutdown waits for requests already sent to be read before the server closes. */
export const drainQuietMs = 200;
export const drainMaxMs = 2_000;

/** Whether the service is shutting down, and when a request last arrived: one per Fastify instance. */
class ShutdownGate {
  closing = false;
  lastArrivalMs = 0;
}
const gates = new WeakMap<FastifyInstance, ShutdownGate>();

/**
 * From the signal on, a request that arrives gets the API's own 503 (problem+json `unavailable`,
 * `Connection: close`): it was not run, so the client retries it elsewhere or later with the same
 * Idempotency-Key. Fastify's own 503 while closing is bare JSON, hence this hook.
 */
export function refuseRequestsWhileClosing(fastify: FastifyInstance): void {
  const gate = new ShutdownGate();
  gates.set(fastify, gate);
  fastify.addHook('preClose', (done) => {
    gate.closing = true;
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    gate.lastArrivalMs = performance.now();
    if (!gate.closing) return done();
    void reply
      .status(503)
      .header('connection', 'close')
      .header('content-type', 'application/problem+json; charset=utf-8')
      .send(problemBody('unavailable', 'the service is shutting down; nothing was recorded; retry with the same Idempotency-Key'));
  });
}

/**
 * Closing the server destroys every connection with no request read yet, and on a busy service
 * (SQLite commits hold the event loop) a request can sit unread on an accepted connection: its
 * client would see a reset. So requests are first refused with a 503 while the service keeps
 * reading, until none arrived for `drainQuietMs` (at most `drainMaxMs`), and only then does the
 * server close.
 */
async function drain(fastify: FastifyInstance): Promise<void> {
  const gate = gates.get(fastify);
  if (!gate) return;
  gate.closing = true;
  const started = performance.now();
  gate.lastArrivalMs = Math.max(gate.lastArrivalMs, started);
  while (performance.now() - gate.lastArrivalMs < drainQuietMs && performance.now() - started < drainMaxMs) {
    await new Promise((resolve) => setTimeout(resolve, drainQuietMs / 4));
  }
}
