import { payment, startTestApp, type TestApp } from '../support/test-app';

/** One JSON line per request: request id, key name, route, status, latency; never a token, a body or a query. */
describe('the request log', () => {
  let app: TestApp;
  const written: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({ requestLog: (text) => written.push(text) });
  }, 60_000);
  afterAll(() => app.close());

  /** The lines written for requests sent by `send`, parsed. */
  const linesOf = async (send: () => Promise<unknown>) => {
    const from = written.length;
    await send();
    // The line is written when the answer has gone out, which may be just after the client has it.
    for (let i = 0; i < 50 && written.length === from; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const texts = written.slice(from);
    for (const text of texts) expect(text.endsWith('\n') && !text.slice(0, -1).includes('\n')).toBe(true);
    return { texts, lines: texts.map((text) => JSON.parse(text)) };
  };

  it('a command: its request id (taken from X-Request-Id), the key, the route, 201 and the latency; no token, no body', async () => {
    const body = payment('510100', '12.34', 'LOG-VOUCHER-1');
    let answer: Awaited<ReturnType<TestApp['raw']>> | undefined;
    const { texts, lines } = await linesOf(async () => {
      answer = await app.raw(
        'POST',
        '/v1/disbursements',
        { authorization: `Bearer ${app.token('cd')}`, 'idempotency-key': 'log-1', 'content-type': 'application/json', 'x-request-id': 'req-2026-0001' },
        JSON.stringify(body),
      );
    });
    expect(answer?.status).toBe(201);
    expect(answer?.headers['x-request-id']).toBe('req-2026-0001');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(Object.keys(line).sort()).toEqual(['actor', 'code', 'latencyMs', 'level', 'method', 'msg', 'requestId', 'route', 'status', 'time']);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request',
      requestId: 'req-2026-0001',
      method: 'POST',
      route: '/v1/disbursements',
      status: 201,
      actor: 'cd',
      code: null,
    });
    expect(typeof line.latencyMs === 'number' && line.latencyMs >= 0).toBe(true);
    expect(new Date(line.time).toISOString()).toBe(line.time);
    for (const secret of [app.token('cd'), 'LOG-VOUCHER-1', '12.34', 'log-1']) expect(texts[0]).not.toContain(secret);
  });

  it('a refusal: 422 with its code and the key', async () => {
    const { lines } = await linesOf(() => app.post('/v1/disbursements', payment('510100', '99999999.00', 'LOG-VOUCHER-2'), 'cd'));
    expect(lines).toMatchObject([{ level: 'warn', route: '/v1/disbursements', status: 422, actor: 'cd', code: 'insufficient-funds' }]);
  });

  it('a 401: no actor, and the token that was tried is not in the line', async () => {
    const tried = 'em_a-token-nobody-issued-0123456789';
    const { texts, lines } = await linesOf(() => app.raw('GET', '/v1/programs?asOf=2024-01-01', { authorization: `Bearer ${tried}` }));
    expect(lines).toMatchObject([{ level: 'warn', method: 'GET', route: '/v1/programs', status: 401, actor: null, code: 'unauthenticated' }]);
    expect(texts[0]).not.toContain(tried);
    expect(texts[0]).not.toContain('2024-01-01');
  });

  it('an X-Request-Id that is not a plain token is replaced by a new id, which the answer carries', async () => {
    let header: string | string[] | undefined;
    const { lines } = await linesOf(async () => {
      header = (await app.raw('GET', '/v1/health', { 'x-request-id': 'two words<script>' })).headers['x-request-id'];
    });
    expect(header).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(lines).toMatchObject([{ requestId: header, route: '/v1/health', status: 200 }]);
  });
});
