import { passDownDocument, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * Operator and auditor keys read what their regions cover, following the funding tree as finance
 * keys act: 成都's operator (op-cd, 510100) reads 成都 and its districts; 自贡's (op-zg, 510300)
 * reads 自贡 and its districts but not its 扩权县 荣县 and 富顺县; program-year totals and documents
 * sum every region, and the audit log holds them all: a key covering the root (510000) only.
 * `op` and `aud` hold `*`.
 */
describe('Read scope follows the funding tree', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    const lines = [{ regionCode: '510104', amount: '100000.00' }];
    const passed = await app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕15号', lines, '100000.00'), 'cd');
    expect(passed.status).toBe(201);
  });
  afterAll(() => app.close());

  const fund = `/v1/programs/${program}/years/${year}`;
  const codes = (rows: { regionCode: string }[]) => rows.map((row) => row.regionCode);

  it('a region’s balance and trail: 200 inside the key’s tree, 403 outside it, 404 inside it where no money is', async () => {
    const answers = await Promise.all([
      app.get(`${fund}/regions/510100`, 'op-cd'),
      app.get(`${fund}/regions/510104`, 'op-cd'),
      app.get(`${fund}/regions/510104/trail`, 'op-cd'),
      app.get(`${fund}/regions/510300`, 'op-cd'),
      app.get(`${fund}/regions/510300/trail`, 'op-cd'),
      app.get(`${fund}/regions/510181`, 'op-cd'),
      app.get(`${fund}/regions/510300`, 'op-zg'),
      app.get(`${fund}/regions/510321`, 'op-zg'),
      app.get(`${fund}/regions/510321/trail`, 'op-zg'),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 403, 403, 404, 200, 403, 403]);
    expect(answers[3].body.code).toBe('forbidden');
    expect(answers[1].body).toMatchObject({ regionCode: '510104', received: '100000.00', available: '100000.00' });
  });

  it('a 市’s children are summed over the regions the key covers: 自贡’s 扩权县 count for `*` only', async () => {
    const everything = await app.get(`${fund}/regions/510300`, 'op');
    const zigong = await app.get(`${fund}/regions/510300`, 'op-zg');
    expect(everything.body.children).toMatchObject({ regions: 2, allocated: '2857600.00', available: '2857600.00' });
    expect(zigong.body.children).toMatchObject({ regions: 0, allocated: '0.00', available: '0.00' });
    expect({ ...zigong.body, children: null }).toEqual({ ...everything.body, children: null });
  });

  it('the region list shows only covered regions', async () => {
    expect(codes((await app.get(`${fund}/regions`, 'op-cd')).body)).toEqual(['510100', '510104']);
    expect(codes((await app.get(`${fund}/regions`, 'op-zg')).body)).toEqual(['510300']);
    expect((await app.get(`${fund}/regions`, 'op')).body).toHaveLength(94);
  });

  it('program-year totals and documents: 403 for a 市’s keys, 200 for keys covering the root', async () => {
    for (const token of ['op-cd', 'aud-cd']) {
      const { status, body } = await app.get(fund, token);
      expect([token, status, body.code]).toEqual([token, 403, 'forbidden']);
    }
    for (const token of ['aud-prov', 'op', 'aud']) {
      const { status, body } = await app.get(fund, token);
      expect([token, status, body.allocated]).toEqual([token, 200, '135000000.00']);
    }
    // The list gives a 市's keys the figures of the regions they cover (programs-list-scope.e2e-spec.ts).
    expect((await app.get('/v1/programs', 'op-cd')).body).toMatchObject([{ programCode: program, allocated: '2556600.00', available: '2556600.00' }]);
    expect((await app.get('/v1/programs', 'aud-prov')).body).toEqual((await app.get('/v1/programs', 'op')).body);
    expect((await app.get('/v1/programs', 'op')).body).toHaveLength(1);
  });

  it('flags and performance: the rows of covered regions only', async () => {
    const flags = `${fund}/flags?asOf=2024-03-31`;
    const all = (await app.get(flags, 'aud')).body as { regionCode: string }[];
    const chengdu = (await app.get(flags, 'aud-cd')).body as { regionCode: string }[];
    expect(chengdu).toEqual(all.filter((flag) => ['510100', '510104'].includes(flag.regionCode)));
    expect(new Set(codes(all)).size).toBeGreaterThan(2);

    const performance = (await app.get(`${fund}/performance`, 'op')).body as { regionCode: string }[];
    const zigong = (await app.get(`${fund}/performance`, 'op-zg')).body as { regionCode: string }[];
    expect(zigong).toEqual(performance.filter((row) => row.regionCode === '510300'));
    expect(zigong).toHaveLength(6);
  });

  it('the audit endpoints: an auditor key covering the root only', async () => {
    const paths = ['/verify', '/checkpoints/latest', '/proofs/inclusion?position=1&treeSize=1', '/proofs/consistency?from=1&to=1'];
    for (const path of paths) {
      const scoped = await app.get(`/v1/audit${path}`, 'aud-cd');
      expect([path, scoped.status, scoped.body.code]).toEqual([path, 403, 'forbidden']);
      const root = await app.get(`/v1/audit${path}`, 'aud-prov');
      expect([path, root.status]).toEqual([path, 200]);
    }
  });
});
