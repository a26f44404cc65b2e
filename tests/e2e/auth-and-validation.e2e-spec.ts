import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

describe('Who may do what, and bad input', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  it('no token: 401 unauthenticated; an unknown token: 401', async () => {
    const none = await app.call('GET', `/v1/programs/${program}/years/${year}`, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthenticated');
    expect(none.contentType).toContain('application/problem+json');
    expect((await app.call('GET', '/v1/programs', { token: 'not-a-token' })).status).toBe(401);
  });

  it('an operator token on a POST: 403 forbidden', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510400', '1.00', 'A-1'), 'op');
    expect(status).toBe(403);
    expect(body.code).toBe('forbidden');
  });

  it('a finance token for 510100 paying from 510300: 403, and nothing moves', async () => {
    const { status, body } = await app.post('/v1/disbursements', payment('510300', '1.00', 'A-2'), 'cd');
    expect(status).toBe(403);
    expect(body.code).toBe('forbidden');
    expect((await app.region('510300')).body.paid).toBe('0.00');
  });

  it('a finance token on a GET: 403', async () => {
    expect((await app.get('/v1/programs', 'cd')).status).toBe(403);
  });

  it('money as a JSON number: 400 validation-failed naming the field', async () => {
    const { status, body } = await app.post('/v1/disbursements', { ...payment('510400', '1.00', 'V-1'), amount: 1 }, 'pzh');
    expect(status).toBe(400);
    expect(body.code).toBe('validation-failed');
    expect(body.errors).toEqual([{ path: 'amount', message: 'amount must be a decimal string in yuan such as "1000.00", greater than zero' }]);
  });

  it('three fraction digits, a zero amount, a bad date, an unknown field: 400', async () => {
    for (const bad of [
      { ...payment('510400', '1.001', 'V-2') },
      { ...payment('510400', '0.00', 'V-3') },
      { ...payment('510400', '1.00', 'V-4'), paidOn: '2024-02-30' },
      { ...payment('510400', '1.00', 'V-5'), extra: true },
      { ...payment('510400', '1.00', 'V-6'), beneficiaries: undefined },
    ]) {
      const { status, body } = await app.post('/v1/disbursements', bad, 'pzh');
      expect([status, body.code]).toEqual([400, 'validation-failed']);
    }
    expect((await app.region('510400')).body.paid).toBe('0.00');
  });

  it('malformed JSON: 400 malformed-json with no stack trace', async () => {
    const { status, body } = await app.call('POST', '/v1/disbursements', { raw: '{"amount": ', token: 'pzh', key: 'k-1' });
    expect(status).toBe(400);
    expect(body.code).toBe('malformed-json');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js|node_modules/);
  });

  it('a body that is not application/json (text, a form): 415 unsupported-media-type', async () => {
    const bodies = [
      ['text/plain', JSON.stringify({ reason: 'voucher cancelled', reversedOn: '2024-03-05' })],
      ['application/x-www-form-urlencoded', 'reason=voucher+cancelled&reversedOn=2024-03-05'],
    ];
    for (const [contentType, raw] of bodies) {
      const path = '/v1/disbursements/00000000-0000-4000-8000-000000000000/reversal';
      const answer = await app.call('POST', path, { raw, token: 'pzh', key: `k-415-${contentType.length}`, contentType });
      expect([contentType, answer.status, answer.body.code]).toEqual([contentType, 415, 'unsupported-media-type']);
      expect(answer.contentType).toContain('application/problem+json');
    }
  });

  it('control characters or a bidirectional override in a text field: 400 validation-failed naming it', async () => {
    for (const voucherNo of ['V-\u0007', 'V-\u0085', 'V-\u202e1']) {
      const { status, body } = await app.post('/v1/disbursements', payment('510400', '1.00', voucherNo), 'pzh');
      expect([status, body.code, body.errors]).toEqual([
        400,
        'validation-failed',
        [{ path: 'voucherNo', message: 'voucherNo must be text of 1 to 100 characters without control characters or bidirectional overrides' }],
      ]);
    }
    expect((await app.region('510400')).body.paid).toBe('0.00');
  });

  it('a body over 1 MiB: 413 payload-too-large', async () => {
    const big = JSON.stringify({ ...payment('510400', '1.00', 'V-7'), padding: 'x'.repeat(1_100_000) });
    const { status, body } = await app.call('POST', '/v1/disbursements', { raw: big, token: 'pzh', key: 'k-2' });
    expect(status).toBe(413);
    expect(body.code).toBe('payload-too-large');
  });

  it('an unknown program-year: 404 not-found; a bad year: 400', async () => {
    expect((await app.get(`/v1/programs/${program}/years/2023`)).body.code).toBe('not-found');
    expect((await app.get(`/v1/programs/${program}/years/1999`)).status).toBe(400);
  });

  it('?minPosition beyond the log: 503 projection-lagging after the wait', async () => {
    const { status, body } = await app.get(`/v1/programs/${program}/years/${year}?minPosition=999999`);
    expect(status).toBe(503);
    expect(body.code).toBe('projection-lagging');
  }, 15_000);
});
