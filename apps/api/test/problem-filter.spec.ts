import { Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { MethodNotAllowed } from '../src/http/method-not-allowed';
import { ProblemFilter } from '../src/http/problem.filter';

function answer(exception: unknown) {
  const reply = { status: jest.fn(), header: jest.fn(), send: jest.fn() };
  for (const method of Object.values(reply)) method.mockReturnValue(reply);
  const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
  new ProblemFilter().catch(exception, host);
  return {
    status: reply.status.mock.calls[0][0] as number,
    headers: Object.fromEntries(reply.header.mock.calls as [string, string][]),
    body: reply.send.mock.calls[0][0] as Record<string, unknown>,
  };
}

describe('ProblemFilter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error with internal-error only, and logs neither its message nor what it quotes', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const leaky = new TypeError('cannot read "tok-prov-5f2c" of {"name":"张三","idNo":"510104199001011234"}');
    const { status, body } = answer(leaky);
    expect([status, body]).toEqual([
      500,
      {
        type: 'https://earmark.dev/problems/internal-error',
        title: 'Internal error',
        status: 500,
        detail: 'an internal error occurred; a command retried with the same Idempotency-Key answers as recorded if it was, and runs if it was not',
        code: 'internal-error',
      },
    ]);
    const log = JSON.stringify(logged.mock.calls);
    expect(log).toContain('unexpected TypeError');
    expect(log).toContain('problem-filter.spec.ts');
    for (const secret of ['tok-prov-5f2c', '张三', '510104199001011234']) expect(log).not.toContain(secret);
  });

  it('answers a wrong method with 405 method-not-allowed and the methods the path takes as Allow', () => {
    const { status, headers, body } = answer(new MethodNotAllowed('PUT', ['GET', 'HEAD']));
    expect([status, headers.allow, body.code, body.type]).toEqual([405, 'GET, HEAD', 'method-not-allowed', 'https://earmark.dev/problems/method-not-allowed']);
  });

  it('answers an unknown path with 404 not-found and no Allow', () => {
    const { status, headers, body } = answer(new NotFoundException('Cannot GET /v1/nowhere'));
    expect([status, headers.allow, body.code, body.detail]).toEqual([404, undefined, 'not-found', 'no such resource']);
  });
});
