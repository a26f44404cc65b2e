import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * A flag's handling (API.md): 预警 raised → 处理 acknowledged → 反馈 responded → 归档 archived, or
 * back to raised by reopen; acknowledge and respond by an operator covering the flag's region,
 * archive and reopen by an auditor covering it; each step an event with its actor and note.
 * Anything refused records nothing.
 */
describe('Handling a flag: POST /v1/flags/{id}/actions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const flagsPath = `/v1/programs/${program}/years/${year}/flags`;
  // The seed's line to 成都 is held past 30 days: today the 滞留 finding stands.
  const late = 'late-pass-down:510100:lot-1';
  const act = (id: string, body: unknown, token: string, key?: string) => app.post(`/v1/flags/${encodeURIComponent(id)}/actions`, body, token, key);
  const flag = async (id: string, token = 'aud') => {
    const list = await app.get(`${flagsPath}?limit=1000&region=510100`, token);
    expect(list.status).toBe(200);
    return (list.body as { id: string }[]).find((candidate) => candidate.id === id) as
      | { id: string; state: string; resolved: boolean; rule: string; regionCode: string }
      | undefined;
  };
  const position = async () => (await app.get('/v1/health')).body.position as number;
  const stepsOf = async (id: string) => {
    const handling = await app.infrastructure.store.readStream(`flag-handling-${program}-${year}`);
    return handling
      .filter((event) => event.data['flagId'] === id)
      .map((event) => ({ action: event.data['action'], from: event.data['fromState'], to: event.data['toState'], note: event.data['note'], actor: event.metadata['actor'] }));
  };

  it('lists every flag as raised before anyone handles it', async () => {
    const list = await app.get(`${flagsPath}?limit=1000`, 'aud');
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThan(20);
    expect(new Set(list.body.map((f: { state: string }) => f.state))).toEqual(new Set(['raised']));
    expect(new Set(list.body.map((f: { resolved: boolean }) => f.resolved))).toEqual(new Set([false]));
    expect(await flag(late)).toMatchObject({ id: late, rule: 'late-pass-down', regionCode: '510100', state: 'raised', resolved: false });
  });

  it('refuses every wrong step with its code and records nothing', async () => {
    const before = await position();
    const problem = async (id: string, body: unknown, token: string) => {
      const answer = await act(id, body, token);
      return { status: answer.status, code: answer.body.code, type: answer.contentType };
    };
    // Out of order: respond before acknowledge; archive a raised flag.
    expect(await problem(late, { action: 'respond', note: '已下达' }, 'op-cd')).toEqual({
      status: 422,
      code: 'invalid-transition',
      type: 'application/problem+json; charset=utf-8',
    });
    expect((await problem(late, { action: 'archive', note: '归档' }, 'aud')).code).toBe('invalid-transition');
    expect((await problem(late, { action: 'reopen', note: '重新打开' }, 'aud')).code).toBe('invalid-transition');
    // Wrong role: an auditor acknowledging, an operator archiving, a finance key at all.
    expect(await problem(late, { action: 'acknowledge', note: '收到' }, 'aud')).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await problem(late, { action: 'archive', note: '归档' }, 'op')).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await problem(late, { action: 'acknowledge', note: '收到' }, 'cd')).toMatchObject({ status: 403, code: 'forbidden' });
    // Region not covered: 自贡's operator, 成都's auditor on another city's flag.
    expect(await problem(late, { action: 'acknowledge', note: '收到' }, 'op-zg')).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await problem('late-pass-down:510300:lot-1', { action: 'acknowledge', note: '收到' }, 'op-cd')).toMatchObject({ status: 403 });
    // Unknown flag.
    expect(await problem('late-pass-down:510100:lot-999999', { action: 'acknowledge', note: '收到' }, 'op-cd')).toMatchObject({
      status: 404,
      code: 'not-found',
    });
    expect(await problem('not a flag id', { action: 'acknowledge', note: '收到' }, 'op-cd')).toMatchObject({ status: 400, code: 'validation-failed' });
    // Bad bodies.
    for (const body of [
      { action: 'close', note: '收到' },
      { action: 'acknowledge' },
      { action: 'acknowledge', note: '' },
      { action: 'acknowledge', note: '   ' },
      { action: 'acknowledge', note: 'x'.repeat(501) },
      { action: 'acknowledge', note: '收到\u0007' },
      { action: 'acknowledge', note: '收到\u202e' },
      { action: 'acknowledge', note: '收到', extra: 1 },
      { action: 'acknowledge', note: '收到', programCode: program },
      { action: 'acknowledge', note: 7 },
    ]) {
      expect({ body, ...(await problem(late, body, 'op-cd')) }).toMatchObject({ body, status: 400, code: 'validation-failed' });
    }
    const missingKey = await app.call('POST', `/v1/flags/${late}/actions`, { body: { action: 'acknowledge', note: '收到' }, token: 'op-cd', key: null });
    expect([missingKey.status, missingKey.body.code]).toEqual([400, 'idempotency-key-missing']);
    expect(await position()).toBe(before);
    expect(await stepsOf(late)).toEqual([]);
    expect((await flag(late))?.state).toBe('raised');
  });

  it('takes a flag raised → acknowledged → responded → archived → raised, each step with its actor and note', async () => {
    const ack = await act(late, { action: 'acknowledge', note: '已督促成都市财政局' }, 'op-cd', 'ack-1');
    expect(ack.status).toBe(201);
    // Keys in one order, the log position last, as every command answers.
    expect(Object.keys(ack.body)).toEqual(['fiscalYear', 'id', 'programCode', 'state', 'position']);
    expect(ack.body).toEqual({ fiscalYear: year, id: late, position: await position(), programCode: program, state: 'acknowledged' });
    expect((await flag(late, 'op-cd'))?.state).toBe('acknowledged');

    const respond = await act(late, { action: 'respond', note: '已于3月1日下达' }, 'op-cd');
    expect([respond.status, respond.body.state]).toEqual([201, 'responded']);
    expect((await flag(late))?.state).toBe('responded');
    // The list narrows by state.
    const responded = await app.get(`${flagsPath}?limit=1000&state=responded`, 'aud');
    expect(responded.body.map((f: { id: string }) => f.id)).toEqual([late]);

    const archive = await act(late, { action: 'archive', note: '核实无误，归档' }, 'aud-prov');
    expect([archive.status, archive.body.state]).toEqual([201, 'archived']);
    // Archived while its cause stands: still listed, as archived.
    expect(await flag(late)).toMatchObject({ state: 'archived', resolved: false });

    const reopen = await act(late, { action: 'reopen', note: '资金仍未下达' }, 'aud-cd');
    expect([reopen.status, reopen.body.state]).toEqual([201, 'raised']);
    expect((await flag(late))?.state).toBe('raised');

    expect(await stepsOf(late)).toEqual([
      { action: 'acknowledge', from: 'raised', to: 'acknowledged', note: '已督促成都市财政局', actor: 'op-cd' },
      { action: 'respond', from: 'acknowledged', to: 'responded', note: '已于3月1日下达', actor: 'op-cd' },
      { action: 'archive', from: 'responded', to: 'archived', note: '核实无误，归档', actor: 'aud-prov' },
      { action: 'reopen', from: 'archived', to: 'raised', note: '资金仍未下达', actor: 'aud-cd' },
    ]);
  });

  it('answers a repeated Idempotency-Key with the first answer and records nothing new', async () => {
    const first = await act(late, { action: 'acknowledge', note: '再次处理' }, 'op-cd', 'ack-2');
    expect([first.status, first.body.state]).toEqual([201, 'acknowledged']);
    const steps = (await stepsOf(late)).length;
    const again = await act(late, { action: 'acknowledge', note: '再次处理' }, 'op-cd', 'ack-2');
    expect(again).toEqual(first);
    expect((await stepsOf(late)).length).toBe(steps);
    const otherBody = await act(late, { action: 'acknowledge', note: '另一说明' }, 'op-cd', 'ack-2');
    expect([otherBody.status, otherBody.body.code]).toEqual([409, 'idempotency-key-reused']);
    // The first key of the first test still answers its own first answer.
    const replayed = await act(late, { action: 'acknowledge', note: '已督促成都市财政局' }, 'op-cd', 'ack-1');
    expect([replayed.status, replayed.body.state]).toEqual([201, 'acknowledged']);
    expect((await stepsOf(late)).length).toBe(steps);
  });

  it('lets only one of two concurrent identical steps pass', async () => {
    const [a, b] = await Promise.all([
      act(late, { action: 'respond', note: '甲' }, 'op-cd'),
      act(late, { action: 'respond', note: '乙' }, 'op'),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    expect((await flag(late))?.state).toBe('responded');
  });

  it('keeps a flag whose cause is gone visible as resolved until it is archived', async () => {
    // A payment off the per-person standard (100 元 for 10 persons), then reversed.
    const paid = await app.post('/v1/disbursements', payment('510100', '100.00', 'FA-1'), 'cd');
    expect(paid.status).toBe(201);
    const id = `headcount-mismatch:510100:payment-${paid.body.position}`;
    expect(await flag(id)).toMatchObject({ state: 'raised', resolved: false });
    expect((await act(id, { action: 'acknowledge', note: '核查中' }, 'op-cd')).status).toBe(201);
    const reversed = await app.post(`/v1/disbursements/${paid.body.disbursementId}/reversal`, { reason: '凭证作废', reversedOn: '2024-03-02' }, 'cd');
    expect(reversed.status).toBe(201);
    expect(await flag(id)).toMatchObject({ id, rule: 'headcount-mismatch', regionCode: '510100', state: 'acknowledged', resolved: true });
    expect((await act(id, { action: 'respond', note: '凭证已作废' }, 'op-cd')).body.state).toBe('responded');
    expect((await act(id, { action: 'archive', note: '归档' }, 'aud')).body.state).toBe('archived');
    expect(await flag(id)).toBeUndefined();
  });

  it('keeps the steps in the hash-chained log: the verifier passes over them', async () => {
    const verify = await app.get('/v1/audit/verify', 'aud');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, events: await position() });
  });
});
