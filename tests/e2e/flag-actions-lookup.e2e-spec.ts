import { FundAuditViews } from '@earmark/application';
import { preAllocation, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * A handling step whose body names no program-year (docs/flags.md): the flag is looked for only
 * where it can be, and a key is refused before anything is looked up for a region it does not
 * cover, so that no key can make the service judge every fund's flags, nor learn whether a flag
 * it may not act on exists.
 */
describe('Handling a flag without naming its program-year', () => {
  const other = 'sc-other-subsidy';
  let app: TestApp;
  /** The program-years whose flags each step judged, in order. */
  const judged: string[] = [];
  let otherLot = '';
  /** The allocation's last event: its document number's, in no fund's stream. */
  let documentEvent = 0;

  beforeAll(async () => {
    app = await startTestApp();
    // A second program-year: the province's line to 成都 lies there past 30 days, as the seed's does.
    const allocation = await app.post('/v1/allocations', { ...preAllocation('川财社〔2024〕77号', '510000', [{ regionCode: '510100', amount: '1000.00' }], '1000.00'), programCode: other }, 'prov');
    expect(allocation.status).toBe(201);
    documentEvent = allocation.body.position;
    const flags = await app.get(`/v1/programs/${other}/years/${year}/flags?limit=1000&region=510100`, 'aud');
    otherLot = (flags.body as { id: string }[]).map((flag) => flag.id).find((id) => id.startsWith('late-pass-down:510100:lot-')) ?? '';
    expect(otherLot).not.toBe('');
    const views = app.app.get(FundAuditViews);
    const flagToHandle = views.flagToHandle.bind(views);
    views.flagToHandle = (programCode, ...rest) => {
      judged.push(programCode);
      return flagToHandle(programCode, ...rest);
    };
  });
  afterAll(() => app.close());
  beforeEach(() => {
    judged.length = 0;
  });

  const act = (id: string, token: string, body: Record<string, unknown> = { action: 'acknowledge', note: '收到' }) =>
    app.post(`/v1/flags/${encodeURIComponent(id)}/actions`, body, token);

  it('finds a flag named by a log position in the program-year of the event at that position, judging that one alone', async () => {
    const seedLot = await act('late-pass-down:510100:lot-1', 'op-cd');
    expect([seedLot.status, seedLot.body.programCode, seedLot.body.state]).toEqual([201, program, 'acknowledged']);
    expect(judged).toEqual([program]);

    judged.length = 0;
    const otherId = otherLot;
    const step = await act(otherId, 'op-cd');
    expect(step.status).toBe(201);
    expect(step.body).toMatchObject({ id: otherId, programCode: other, fiscalYear: year, state: 'acknowledged' });
    expect(judged).toEqual([other]);
  });

  it('answers 404 for a position that holds no event, or an event of no fund, judging nothing', async () => {
    const head = Number((await app.get('/v1/health')).body.position);
    const events = await app.infrastructure.store.readAll({ afterPosition: BigInt(documentEvent - 1), maxCount: 1 });
    expect(events[0].streamName).toMatch(/^document-/);
    for (const id of [`late-pass-down:510100:lot-${documentEvent}`, `late-pass-down:510100:lot-${head + 1000}`, 'late-pass-down:510100:lot-999999999999999']) {
      const answer = await act(id, 'op-cd');
      expect([id, answer.status, answer.body.code]).toEqual([id, 404, 'not-found']);
    }
    expect(judged).toEqual([]);
  });

  it('searches a region-wide finding only in the program-years where the region holds money', async () => {
    // 自贡 holds money in the seed's program-year only.
    const seedFlags = await app.get(`/v1/programs/${program}/years/${year}/flags?limit=1000&region=510300`, 'aud');
    const regionWide = (seedFlags.body as { id: string }[]).map((flag) => flag.id).find((id) => id.startsWith('spending-pace:510300:'));
    expect(regionWide).toBe('spending-pace:510300:account');
    const step = await act('spending-pace:510300:account', 'op-zg');
    expect([step.status, step.body.programCode, step.body.state]).toEqual([201, program, 'acknowledged']);
    expect(judged).toEqual([program]);
  });

  it('asks for the program-year when a region-wide finding stands in both', async () => {
    const list = async (programCode: string) =>
      ((await app.get(`/v1/programs/${programCode}/years/${year}/flags?limit=1000&region=510100`, 'aud')).body as { id: string }[]).map((flag) => flag.id);
    const both = (await list(program)).filter((id) => !/:(lot|payment|event|refusal)-/.test(id));
    const inOther = new Set(await list(other));
    const shared = both.find((id) => inOther.has(id));
    expect(shared).toBeDefined();
    const ambiguous = await act(shared as string, 'op-cd');
    expect([ambiguous.status, ambiguous.body.code]).toEqual([400, 'validation-failed']);
    expect(ambiguous.body.detail).toContain('name programCode and fiscalYear');
    expect([...judged].sort()).toEqual([other, program].sort());

    const named = await act(shared as string, 'op-cd', { action: 'acknowledge', note: '收到', programCode: other, fiscalYear: year });
    expect([named.status, named.body.programCode]).toEqual([201, other]);
  });

  it('refuses a key for a region it does not cover before looking anything up, whether or not the flag exists', async () => {
    const before = (await app.get('/v1/health')).body.position;
    for (const [id, token, action] of [
      ['late-pass-down:510300:lot-1', 'op-cd', 'acknowledge'],
      ['late-pass-down:510300:lot-999999', 'op-cd', 'acknowledge'],
      ['spending-pace:510300:account', 'op-cd', 'acknowledge'],
      // A flag about no region of the registry's form takes a key covering the funding root, of
      // the role the action needs: 成都's operator acknowledging, 成都's auditor archiving.
      ['refused-attempt:-:refusal-1', 'op-cd', 'acknowledge'],
      ['refused-attempt:-:refusal-999999', 'aud-cd', 'archive'],
    ] as const) {
      const answer = await act(id, token, { action, note: '收到' });
      expect([id, answer.status, answer.body.code]).toEqual([id, 403, 'forbidden']);
      expect(answer.body.detail).toBe(`key ${token} does not cover region ${id.split(':')[1] === '-' ? 'of the funding root' : '510300'}`);
    }
    // The wrong role for the action, before the lookup too.
    const archive = await act('late-pass-down:510100:lot-999999', 'op-cd', { action: 'archive', note: '归档' });
    expect([archive.status, archive.body.code]).toEqual([403, 'forbidden']);
    expect(judged).toEqual([]);
    expect((await app.get('/v1/health')).body.position).toBe(before);
  });

  it('lets a key covering the funding root past that check: a flag about no region is then looked up', async () => {
    for (const [token, action] of [
      ['op', 'acknowledge'],
      ['aud-prov', 'archive'],
    ] as const) {
      const answer = await act('refused-attempt:-:refusal-999999', token, { action, note: '收到' });
      expect([token, answer.status, answer.body.code]).toEqual([token, 404, 'not-found']);
    }
    expect(judged).toEqual([]);
  });
});
