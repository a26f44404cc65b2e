import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ApplicationError, type ProblemCode } from '@earmark/application';
import { RuleError } from '@earmark/domain';
import { EventStoreUnavailableError } from '@earmark/event-store';
import type { FastifyReply } from 'fastify';
import { RateLimited } from '../ops/rate-limit.guard';
import { MethodNotAllowed } from './method-not-allowed';
import { problemBody, type ProblemBody } from './problems';

/** A 400 from the validation pipe, with one entry per offending field. */
export class ValidationFailed extends HttpException {
  constructor(readonly errors: { path: string; message: string }[], readonly code: ProblemCode = 'validation-failed') {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '), 400);
  }
}

/** What Fastify refuses before the body parser (`json-body.ts`) runs, or instead of it. */
const fastifyCodes: Record<string, { code: ProblemCode; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', detail: 'bodies over 1 MiB are refused' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', detail: 'send bodies as Content-Type: application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'validation-failed', detail: 'Content-Length does not match the body' },
};

/**
 * The one place errors become application/problem+json (RFC 9457). Nothing internal reaches the
 * client: unknown errors are logged by type and stack and answered as a bare 500.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toProblem(exception);
    // For the request log: the code, never the detail (a detail may quote what the client sent).
    const request = (reply as { request?: { problemCode?: string } }).request;
    if (request) request.problemCode = body.code;
    if (exception instanceof MethodNotAllowed) void reply.header('allow', exception.allowed.join(', '));
    if (exception instanceof RateLimited) void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }

  private toProblem(exception: unknown): ProblemBody {
    if (exception instanceof ApplicationError) return problemBody(exception.code, exception.detail);
    if (exception instanceof RuleError) return problemBody(exception.code, exception.detail);
    if (exception instanceof ValidationFailed) return problemBody(exception.code, exception.message, exception.errors);
    if (exception instanceof EventStoreUnavailableError) {
      this.logger.error(`store unavailable: ${exception.message}`);
      // Not "nothing was recorded": a connection lost while COMMIT was on its way leaves that unknown.
      return problemBody('unavailable', retryDetail('the event store is unavailable'));
    }
    const fastifyCode = (exception as { code?: unknown })?.code;
    if (typeof fastifyCode === 'string' && Object.hasOwn(fastifyCodes, fastifyCode)) {
      const { code, detail } = fastifyCodes[fastifyCode];
      return problemBody(code, detail);
    }
    if (exception instanceof MethodNotAllowed) return problemBody('method-not-allowed', exception.message);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return problemBody('not-found', 'no such resource');
      if (status === 413) return problemBody('payload-too-large', 'bodies over 1 MiB are refused');
      if (status === 415) return problemBody('unsupported-media-type', 'send bodies as Content-Type: application/json');
      if (status === 400) {
        const message = exception.message || 'bad request';
        return problemBody(/json/i.test(message) ? 'malformed-json' : 'validation-failed', message);
      }
      if (status === 401) return problemBody('unauthenticated', 'authentication required');
      if (status === 403) return problemBody('forbidden', 'not allowed');
    }
    // The type and the stack frames reach the log, not the message: a message may quote the body
    // (JSON.parse's does) or a header, and bodies hold personal data, headers tokens.
    const error = exception as Error | undefined;
    const frames = typeof error?.stack === 'string' ? error.stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') : undefined;
    this.logger.error(`unexpected ${error?.name ?? typeof exception}`, frames);
    return problemBody('internal-error', retryDetail('an internal error occurred'));
  }
}

/**
 * What a client may do after a 5xx: whether a command's events were stored is not always known
 * (a connection lost during COMMIT; an error after it), and its idempotency key settles it.
 */
function retryDetail(what: string): string {
  return `${what}; a command retried with the same Idempotency-Key answers as recorded if it was, and runs if it was not`;
}
