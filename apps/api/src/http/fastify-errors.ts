import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody, type ProblemBody } from './problems';

const problemContentType = 'application/problem+json; charset=utf-8';

function routerProblem(error: FastifyError): ProblemBody {
  // Neither answer quotes the path: it is the client's input, and a page may show the answer.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return problemBody('validation-failed', 'a path segment is too long');
  return problemBody('validation-failed', 'the path is not valid percent-encoded UTF-8');
}

/**
 * What the router refuses before any hook, guard or filter runs (a malformed path, an over-long
 * parameter): problem+json like every other error, instead of Fastify's own JSON.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const body = routerProblem(error);
  void reply.status(body.status).header('content-type', problemContentType).send(body);
}

/**
 * A request Node could not read as HTTP (a malformed request line, headers over the limit, a
 * client too slow to send them) never reaches Fastify: the answer is written on the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const detail =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'the request headers are too large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'the request did not arrive in time'
        : 'the request is not valid HTTP/1.1';
  const body = JSON.stringify(problemBody('validation-failed', detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
