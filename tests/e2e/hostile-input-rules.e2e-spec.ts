import { connect } from 'node:net';
import { passDown, payment, preAllocation, program, returned, startTestApp, year, type RawResult, type TestApp } from '../support/test-app';

/** API v2's input rules, each shown by the request that broke it before. */
describe('Input rules: one JSON parser in front of every route', () => {
  let app: TestApp;
  let keyCounter = 0;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  const send = (path: string, body: string | Buffer, contentType = 'application/json', token = 'pzh'): Promise<RawResult> =>
    app.raw('POST', path, { 'content-type': contentType, authorization: `Bearer ${app.token(token)}`, 'idempotency-key': `rules-${++keyCounter}` }, body);
  const problem = (answer: RawResult) => ({ status: answer.status, ...(JSON.parse(answer.text) as { code: string; errors?: unknown }) });

  it('a duplicate key is a 400 malformed-json naming it, and records nothing', async () => {
    const before = (await app.region('510400')).body;
    const text = JSON.stringify(payment('510400', '1.00', 'DUP-1')).replace('"amount":"1.00"', '"amount":"1.00","amount":"1000000.00"');
    const answer = problem(await send('/v1/disbursements', text));
    expect(answer).toMatchObject({ status: 400, code: 'malformed-json', errors: [{ path: 'amount', message: 'key "amount" appears twice in one object' }] });
    expect((await app.region('510400')).body).toEqual(before);
  });

  it('a key spelled twice in two ways, deep in a line, is the same key', async () => {
    const text = '{"lines":[{"regionCode":"510104","amount":"1.00"},{"regionCode":"510105","\\u0072egionCode":"510104"}]}';
    expect(problem(await send('/v1/pass-downs', text, 'application/json', 'cd'))).toMatchObject({
      status: 400,
      code: 'malformed-json',
      errors: [{ path: 'lines.1.regionCode', message: 'key "regionCode" appears twice in one object' }],
    });
  });

  it('nesting 32 deep reaches validation; 33 deep, or 3,000 deep under 1 MiB, is a 400 malformed-json', async () => {
    const nested = (depth: number) => `{"reason":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)},"reversedOn":"2024-03-05"}`;
    const path = '/v1/disbursements/00000000-0000-4000-8000-000000000000/reversal';
    expect(problem(await send(path, nested(32))).code).toBe('validation-failed');
    expect(problem(await send(path, nested(33)))).toMatchObject({ status: 400, code: 'malformed-json' });
    const deep = problem(await send(path, nested(3_000)));
    expect(deep).toMatchObject({ status: 400, code: 'malformed-json', errors: [{ message: 'objects and arrays may nest at most 32 deep' }] });
  });

  it('a charset other than UTF-8 is a 415; UTF-8 spelled any way is read', async () => {
    const body = JSON.stringify(payment('510400', '1.00', 'CS-1'));
    for (const contentType of ['application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=']) {
      expect([contentType, problem(await send('/v1/disbursements', body, contentType)).code]).toEqual([contentType, 'unsupported-media-type']);
    }
    for (const [index, contentType] of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'Application/JSON'].entries()) {
      const answer = await send('/v1/disbursements', JSON.stringify(payment('510400', '1.00', `CS-OK-${index}`)), contentType);
      expect([contentType, answer.status]).toEqual([contentType, 201]);
    }
  });

  it('bytes that are not UTF-8 are a 400 malformed-json, not replaced and recorded', async () => {
    const [before, after] = JSON.stringify(payment('510400', '1.00', 'UTF-XX')).split('XX');
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]);
    expect(problem(await send('/v1/disbursements', body))).toMatchObject({ status: 400, code: 'malformed-json' });
  });

  it('an unpaired surrogate escape is a 400 malformed-json on every store, not a 503 from PostgreSQL', async () => {
    const text = JSON.stringify(preAllocation('DOC-\ud800', '510000', [{ regionCode: '510100', amount: '1.00' }], '1.00'));
    expect(text).toContain('DOC-\\ud800');
    expect(problem(await send('/v1/allocations', text, 'application/json', 'prov'))).toMatchObject({
      status: 400,
      code: 'malformed-json',
      errors: [{ path: 'documentNo', message: 'a string holds an unpaired surrogate, which is not Unicode text' }],
    });
  });

  it('__proto__ and constructor.prototype keys are refused as malformed-json', async () => {
    for (const text of ['{"__proto__":{"admin":true}}', '{"a":{"constructor":{"prototype":{"admin":true}}}}']) {
      expect(problem(await send('/v1/disbursements', text)).code).toBe('malformed-json');
    }
  });

  it('a body over 1 MiB is still a 413 payload-too-large', async () => {
    const big = JSON.stringify({ ...payment('510400', '1.00', 'BIG-1'), padding: 'x'.repeat(1_048_576) });
    expect(problem(await send('/v1/disbursements', big))).toMatchObject({ status: 413, code: 'payload-too-large' });
  });

  it('fields of another kind of disbursement are refused like unknown fields, naming the path', async () => {
    const before = (await app.region('510400')).body;
    const cases: [string, Record<string, unknown>, string][] = [
      ['toRegionCode', payment('510400', '1.00', 'KIND-1', { toRegionCode: '510411' }), 'beneficiary-payment'],
      ['toRegionCode', { ...returned('510400', '1.00', 'KIND-2', '2024-04-01'), toRegionCode: '510000' }, 'return'],
      ['expenditureSubject', { ...returned('510400', '1.00', 'KIND-3', '2024-04-01'), expenditureSubject: '2083001' }, 'return'],
      ['beneficiaries', { ...passDown('510400', '510411', '1.00', 'KIND-4'), beneficiaries: 1 }, 'pass-down'],
    ];
    for (const [field, body, kind] of cases) {
      expect(problem(await send('/v1/disbursements', JSON.stringify(body)))).toMatchObject({
        status: 400,
        code: 'validation-failed',
        errors: [{ path: field, message: `property ${field} should not exist when kind is ${kind}` }],
      });
    }
    expect((await app.region('510400')).body).toEqual(before);
  });

  it('a known path with a method it does not answer: 405 with Allow, before the body is read', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/v1/disbursements', 'POST'],
      ['DELETE', '/v1/disbursements', 'POST'],
      ['PATCH', '/v1/disbursements/00000000-0000-4000-8000-000000000000/reversal', 'POST'],
      ['GET', '/v1/settlements', 'POST'],
      ['DELETE', `/v1/programs/${program}/years/${year}`, 'GET, HEAD'],
      ['POST', '/v1/health', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const answer = await app.raw(method, path, { 'content-type': 'text/plain', authorization: `Bearer ${app.token('pzh')}` }, 'not json');
      expect([method, path, answer.status, answer.headers.allow, JSON.parse(answer.text).code]).toEqual([method, path, 405, allow, 'method-not-allowed']);
      expect(answer.headers['content-type']).toContain('application/problem+json');
    }
    expect((await app.raw('PUT', '/v1/nowhere')).status).toBe(404);
  });

  it('a path the router cannot decode, or an over-long segment: 400 problem+json that does not echo the path', async () => {
    for (const path of ['/v1/regions/%E0%A4%A', `/v1/regions/${'9'.repeat(300)}`, '/v1/disbursements/%ZZ<script>/reversal']) {
      const answer = await app.raw('GET', path, { authorization: `Bearer ${app.token('op')}` });
      expect([path, answer.status, answer.headers['content-type']]).toEqual([path, 400, 'application/problem+json; charset=utf-8']);
      expect(JSON.parse(answer.text).code).toBe('validation-failed');
      expect(answer.text).not.toContain('script');
    }
  });

  it('a request that is not HTTP at all: 400 problem+json on the socket', async () => {
    const port = Number(new URL(app.baseUrl).port);
    const exchange = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
    for (const request of ['BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n', `GET /v1/health HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`]) {
      const answer = await exchange(request);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('Content-Type: application/problem+json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe('validation-failed');
    }
  });
});
