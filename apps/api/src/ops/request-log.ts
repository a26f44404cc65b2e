import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { ApiKey } from '@earmark/runtime';

/** The header a request id is taken from and echoed in. */
export const requestIdHeader = 'x-request-id';

/** A client's own request id is kept when it is a plain token (the Idempotency-Key alphabet); else one is made. */
const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the client's X-Request-Id when sane, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[requestIdHeader];
  return typeof given === 'string' && saneRequestId.test(given) ? given : randomUUID();
}

/**
 * One line per answered request. Only these fields: never a header's value (tokens), a body or a
 * query string (either may hold personal data); the route is the pattern, not the path asked.
 */
export interface RequestLogLine {
  readonly time: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: 'request';
  readonly requestId: string;
  readonly method: string;
  readonly route: string | null;
  readonly status: number;
  readonly latencyMs: number;
  readonly actor: string | null;
  readonly code: string | null;
}

const problemCodeIn = /"code":"([a-z-]{1,64})"/;

type LoggedRequest = FastifyRequest & { apiKey?: ApiKey; problemCode?: string };

export function requestLogLine(request: LoggedRequest, reply: FastifyReply, now: Date = new Date()): RequestLogLine {
  const status = reply.statusCode;
  return {
    time: now.toISOString(),
    level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
    msg: 'request',
    requestId: String(request.id),
    method: request.method,
    route: request.routeOptions?.url ?? null,
    status,
    latencyMs: Math.round(reply.elapsedTime * 10) / 10,
    actor: request.apiKey?.name ?? null,
    code: request.problemCode ?? null,
  };
}

export function formatRequestLine(line: RequestLogLine, format: 'json' | 'pretty'): string {
  if (format === 'json') return `${JSON.stringify(line)}\n`;
  const code = line.code ? ` ${line.code}` : '';
  return `${line.time.slice(11, 23)} ${line.status}${code} ${line.method} ${line.route ?? '(no route)'} ${line.latencyMs} ms key=${line.actor ?? '-'} id=${line.requestId}\n`;
}

/** Echoes the request id to the client and writes one line when the answer has gone out. */
export function useRequestLog(fastify: FastifyInstance, write: ((text: string) => void) | null, format: 'json' | 'pretty'): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(requestIdHeader, request.id);
    done();
  });
  if (!write) return;
  // A refusal the command runner answers (a 422 kept for idempotent replay) never passes the
  // exception filter: its code is read from the problem body on its way out.
  fastify.addHook('onSend', (request: LoggedRequest, reply, payload, done) => {
    if (reply.statusCode >= 400 && request.problemCode === undefined && typeof payload === 'string') {
      const code = problemCodeIn.exec(payload.slice(0, 512));
      if (code) request.problemCode = code[1];
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    write(formatRequestLine(requestLogLine(request as LoggedRequest, reply), format));
    done();
  });
}

/** Lines held before a write is forced, whatever the event loop is doing. */
const maxBufferedBytes = 65_536;

/**
 * Standard output, written once per turn of the event loop rather than once per line: a write to a
 * pipe is synchronous on Linux, and one per request would be a system call per request under
 * load. What is buffered is written on exit too (a SIGKILL loses at most one turn's lines).
 */
export function bufferedStdout(): (text: string) => void {
  let buffered: string[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    bytes = 0;
    process.stdout.write(text);
  };
  process.once('exit', flush);
  return (text) => {
    buffered.push(text);
    bytes += text.length;
    if (bytes >= maxBufferedBytes) return flush();
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
