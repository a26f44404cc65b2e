import { BooksAtViews } from '@earmark/application';
import { ApiKeyRing, hashToken } from '@earmark/runtime';
import {
  newKey,
  passDownDocument,
  payment,
  preAllocation,
  program,
  returned,
  startTestApp,
  testKeys,
  year,
  type TestApp,
} from '../support/test-app';

/**
 * `GET /v1/programs` for a key that does not cover a program-year's funding root: the program-years
 * where a region it covers holds a balance, with the figures of the regions it covers. 成都's keys
 * (510100) read 成都市 and its 区/县; 自贡's (510300) read 自贡市 but not its 扩权县 荣县 and 富顺县,
 * which the province pays directly. Keys covering the root (510000, `*`) get the totals.
 *
 * The seed notice (川财社〔2024〕2号, in 万元) gives 成都市 255.66, 自贡市 142.19, 荣县 125.76 and
 * 富顺县 160.00, and 13,500.00 in all. Below: 成都 passes 100,000.00 down to 锦江区 (510104) and
 * 50,000.00 to 青羊区 (510105), pays 20,000.00 to 10 persons itself; 锦江区 pays 30,000.00 to 10
 * persons and returns 5,000.00 to 成都; 成都 returns 1,000.00 to the province. The province pays
 * 2,000.00 to 10 persons in 荣县. A 2025 program-year gives 5,000.00 to 自贡市 alone.
 *
 * Dates: the notice 2024-01-18, the pass-downs 2024-02-01, the payments 2024-03-01, the returns
 * 2024-04-01, the 2025 notice 2024-12-20. With ?asOf= or ?atPosition= the list answers as the books
 * stood then.
 */
describe('GET /v1/programs for keys that do not cover the funding root', () => {
  let app: TestApp;
  /** The positions of the set-up's commands, in the order below. */
  let positions: number[];
  beforeAll(async () => {
    app = await startTestApp();
    const lines = [
      { regionCode: '510104', amount: '100000.00' },
      { regionCode: '510105', amount: '50000.00' },
    ];
    const answers = [
      await app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕21号', lines, '150000.00'), 'cd'),
      await app.post('/v1/disbursements', payment('510100', '20000.00', 'PL-1'), 'cd'),
      await app.post('/v1/disbursements', payment('510104', '30000.00', 'PL-2'), 'cd'),
      await app.post('/v1/disbursements', returned('510104', '5000.00', 'PL-3', '2024-04-01'), 'cd'),
      await app.post('/v1/disbursements', returned('510100', '1000.00', 'PL-4', '2024-04-01'), 'cd'),
      await app.post('/v1/disbursements', payment('510321', '2000.00', 'PL-5'), 'prov'),
      await app.post(
        '/v1/allocations',
        { ...preAllocation('川财社〔2024〕93号', '510000', [{ regionCode: '510300', amount: '5000.00' }], '5000.00'), fiscalYear: 2025, issuedOn: '2024-12-20' },
        'prov',
      ),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201, 201, 201]);
    positions = answers.map((answer) => answer.body.position as number);
  });
  afterAll(() => app.close());

  const programName = '困难群体养老保险个人缴费省级财政代缴资金';
  const list = async (key: string, query = '') => (await app.get(`/v1/programs${query}`, key)).body as Record<string, unknown>[];
  const fen = (amount: string) => BigInt(amount.replace('.', ''));
  const yuan = (amountFen: bigint) => `${amountFen / 100n}.${(amountFen % 100n).toString().padStart(2, '0')}`;

  it('成都’s keys: the 2024 program-year, summed over 成都市 and its 区/县; not the 2025 one, where they cover no money', async () => {
    const chengdu = {
      programCode: program,
      programName,
      fiscalYear: year,
      // 255.66 万元 allocated to 成都市; the pass-downs move money inside 成都 and add nothing.
      allocated: '2556600.00',
      // 20,000.00 by 成都市 and 30,000.00 by 锦江区.
      paid: '50000.00',
      beneficiaries: 20,
      // 2,556,600.00 − 50,000.00 paid − 1,000.00 returned to the province; 锦江区's return stays in 成都.
      available: '2505600.00',
    };
    expect(await list('op-cd')).toEqual([chengdu]);
    expect(await list('aud-cd')).toEqual([chengdu]);
  });

  it('自贡’s key: 自贡市 alone, its 扩权县 荣县 and 富顺县 left out, and the 2025 program-year where 自贡市 holds money', async () => {
    expect(await list('op-zg')).toEqual([
      { programCode: program, programName, fiscalYear: year, allocated: '1421900.00', paid: '0.00', beneficiaries: 0, available: '1421900.00' },
      { programCode: program, programName, fiscalYear: 2025, allocated: '5000.00', paid: '0.00', beneficiaries: 0, available: '5000.00' },
    ]);
  });

  it('keys covering the root: the program-years’ totals, as before', async () => {
    const totals = [
      // 13,500.00 万元; paid 50,000.00 in 成都 and 2,000.00 in 荣县; 1,000.00 went back to the province.
      { programCode: program, programName, fiscalYear: year, allocated: '135000000.00', paid: '52000.00', beneficiaries: 30, available: '134947000.00' },
      { programCode: program, programName, fiscalYear: 2025, allocated: '5000.00', paid: '0.00', beneficiaries: 0, available: '5000.00' },
    ];
    for (const key of ['op', 'aud', 'aud-prov']) expect([key, await list(key)]).toEqual([key, totals]);
    const programYear = (await app.get(`/v1/programs/${program}/years/${year}`, 'aud-prov')).body;
    expect(totals[0]).toEqual({
      programCode: programYear.programCode,
      programName: programYear.programName,
      fiscalYear: programYear.fiscalYear,
      allocated: programYear.allocated,
      paid: programYear.paid,
      beneficiaries: programYear.beneficiaries,
      available: programYear.available,
    });
  });

  it('a key’s figures are those of the region balances it reads, added up to the 分', async () => {
    for (const key of ['op-cd', 'op-zg', 'op']) {
      const balances = (await app.get(`/v1/programs/${program}/years/${year}/regions`, key)).body as Record<string, string | number>[];
      const sum = (field: string) => yuan(balances.reduce((total, balance) => total + fen(String(balance[field])), 0n));
      const listed = (await list(key)).find((row) => row.fiscalYear === year);
      expect([key, listed]).toEqual([
        key,
        {
          programCode: program,
          programName,
          fiscalYear: year,
          allocated: sum('allocated'),
          paid: sum('paid'),
          beneficiaries: balances.reduce((total, balance) => total + Number(balance['beneficiaries']), 0),
          available: sum('available'),
        },
      ]);
    }
  });

  it('the program-year’s totals stay with the root: 403 for 成都’s keys', async () => {
    const { status, body } = await app.get(`/v1/programs/${program}/years/${year}`, 'op-cd');
    expect([status, body.code]).toEqual([403, 'forbidden']);
  });

  describe('as the books stood (?asOf=, ?atPosition=)', () => {
    const chengdu = (figures: { paid: string; beneficiaries: number; available: string }) => ({
      programCode: program,
      programName,
      fiscalYear: year,
      allocated: '2556600.00',
      ...figures,
    });
    const totals2024 = (figures: { paid: string; beneficiaries: number; available: string }) => ({
      programCode: program,
      programName,
      fiscalYear: year,
      allocated: '135000000.00',
      ...figures,
    });

    // Before the other past views of this file, so that the views kept (at most 8) have room to grow.
    it('?programCode=&fiscalYear=: that program-year alone, its fund alone replayed for a date; one of the two alone is a 400', async () => {
      const only = `?programCode=${program}&fiscalYear=${year}`;
      const views = app.app.get(BooksAtViews);
      const before = views.viewsKept;
      const narrowed = await list('op', `${only}&asOf=2024-05-01`);
      expect(views.viewsKept).toBe(before + 1);
      // By then 1,000.00 had gone back to the province: it left the program-year's regions.
      expect(narrowed).toEqual([totals2024({ paid: '52000.00', beneficiaries: 30, available: '134947000.00' })]);
      const programYear = (await app.get(`/v1/programs/${program}/years/${year}?asOf=2024-05-01`, 'op')).body;
      expect(programYear).toMatchObject({ paid: '52000.00', beneficiaries: 30, returned: '1000.00', available: '134947000.00' });
      // The whole list that day replays the 2025 fund too, and gives 2024 the same entry.
      const whole = await list('op', '?asOf=2024-05-01');
      expect(views.viewsKept).toBe(before + 2);
      expect(whole.filter((row) => row.fiscalYear === year)).toEqual(narrowed);
      expect(await list('op-cd', only)).toEqual((await list('op-cd')).filter((row) => row.programCode === program && row.fiscalYear === year));
      expect(await list('op', `?programCode=${program}&fiscalYear=2031`)).toEqual([]);
      expect(await list('op', `?programCode=${program}&fiscalYear=2031&asOf=2024-05-01`)).toEqual([]);
      const refusals: [string, { path: string; message: string }][] = [
        [`?programCode=${program}`, { path: 'fiscalYear', message: 'must be an integer from 2000 to 2100' }],
        [`?fiscalYear=${year}&asOf=2024-05-01`, { path: 'programCode', message: 'must match ^[a-z0-9][a-z0-9-]{1,63}$' }],
        [`?programCode=${program}&fiscalYear=24`, { path: 'fiscalYear', message: 'must be an integer from 2000 to 2100' }],
      ];
      for (const [query, error] of refusals) {
        const answer = await app.get(`/v1/programs${query}`, 'op');
        expect([query, answer.status, answer.body.code, answer.body.errors]).toEqual([query, 400, 'validation-failed', [error]]);
      }
    });

    // First of the past views in this file: the views kept (at most 8) have room to grow by one a fund.
    it('a key covering no region that holds money: an empty list, now and then, and no fund replayed for it; 成都’s key has the 2024 fund replayed, not the 2025 one', async () => {
      // 金牛区 (510106), a 区 of 成都 that received nothing.
      const jinniu = newKey();
      app.app.get(ApiKeyRing).replace([
        ...Object.entries(testKeys).map(([name, { role, regions }]) => ({ name, role, regions, tokenSha256: hashToken(app.token(name)) })),
        { name: 'op-jinniu', role: 'operator', regions: ['510106'], tokenSha256: hashToken(jinniu) },
      ]);
      const views = app.app.get(BooksAtViews);
      const before = views.viewsKept;
      expect(await list(jinniu)).toEqual([]);
      expect(await list(jinniu, '?asOf=2024-06-30')).toEqual([]);
      expect(await list(jinniu, `?atPosition=${positions[6]}`)).toEqual([]);
      expect(views.viewsKept).toBe(before);
      expect(await list('op-cd', '?asOf=2024-06-30')).toEqual([chengdu({ paid: '50000.00', beneficiaries: 20, available: '2505600.00' })]);
      expect(views.viewsKept).toBe(before + 1);
      await list('op', '?asOf=2024-07-31');
      expect(views.viewsKept).toBe(before + 3);
    });

    it('the day before the notice, or at position 0: nothing allocated, no program-year listed', async () => {
      for (const key of ['op-cd', 'op-zg', 'op']) {
        expect([key, await list(key, '?asOf=2024-01-17')]).toEqual([key, []]);
        expect([key, await list(key, '?atPosition=0')]).toEqual([key, []]);
      }
    });

    it('between the pass-downs and the payments: 成都’s figures as allocated, the pass-downs inside them changing nothing; no 2025 program-year yet', async () => {
      expect(await list('op-cd', '?asOf=2024-02-15')).toEqual([chengdu({ paid: '0.00', beneficiaries: 0, available: '2556600.00' })]);
      expect(await list('op-zg', '?asOf=2024-02-15')).toEqual([
        { programCode: program, programName, fiscalYear: year, allocated: '1421900.00', paid: '0.00', beneficiaries: 0, available: '1421900.00' },
      ]);
      expect(await list('op', '?asOf=2024-02-15')).toEqual([totals2024({ paid: '0.00', beneficiaries: 0, available: '135000000.00' })]);
    });

    it('between the payments and the returns: the payments counted, the returns not, equal to 成都市’s balance and its 区/县’s sums that day', async () => {
      // 20,000.00 paid by 成都市 and 30,000.00 by 锦江区; nothing returned to the province yet.
      const figures = chengdu({ paid: '50000.00', beneficiaries: 20, available: '2506600.00' });
      expect(await list('op-cd', '?asOf=2024-03-15')).toEqual([figures]);
      const region = await app.get(`/v1/programs/${program}/years/${year}/regions/510100?asOf=2024-03-15`, 'op-cd');
      expect(region.status).toBe(200);
      // 成都市 itself: 2,556,600.00 − 150,000.00 passed down − 20,000.00 paid; its 区/县: 150,000.00 received − 30,000.00 paid.
      expect(region.body).toMatchObject({ allocated: '2556600.00', paid: '20000.00', beneficiaries: 10, available: '2386600.00' });
      expect(region.body.children).toMatchObject({ regions: 2, allocated: '0.00', paid: '30000.00', beneficiaries: 10, available: '120000.00' });
      const sum = (field: 'allocated' | 'paid' | 'available') => yuan(fen(region.body[field]) + fen(region.body.children[field]));
      expect(figures).toMatchObject({
        allocated: sum('allocated'),
        paid: sum('paid'),
        beneficiaries: region.body.beneficiaries + region.body.children.beneficiaries,
        available: sum('available'),
      });

      // The root's key: the program-year's totals that day, as /v1/programs/{p}/years/{y}?asOf= gives them.
      const totals = totals2024({ paid: '52000.00', beneficiaries: 30, available: '134948000.00' });
      expect(await list('op', '?asOf=2024-03-15')).toEqual([totals]);
      const programYear = (await app.get(`/v1/programs/${program}/years/${year}?asOf=2024-03-15`, 'op')).body;
      expect(programYear).toMatchObject({ allocated: totals.allocated, paid: totals.paid, beneficiaries: totals.beneficiaries, available: totals.available });
    });

    it('today, or from the last effective date on: the same answer as without a date', async () => {
      const today = new Date().toISOString().slice(0, 10);
      for (const key of ['op-cd', 'op-zg', 'op']) {
        const now = await list(key);
        expect([key, await list(key, `?asOf=${today}`)]).toEqual([key, now]);
        expect([key, await list(key, '?asOf=2024-12-20')]).toEqual([key, now]);
      }
      expect((await list('op', '?asOf=2024-12-19')).map((row) => row.fiscalYear)).toEqual([year]);
    });

    it('atPosition: as the log stood after 成都市’s own payment; at the last command, the list now', async () => {
      expect(await list('op-cd', `?atPosition=${positions[1]}`)).toEqual([chengdu({ paid: '20000.00', beneficiaries: 10, available: '2536600.00' })]);
      expect(await list('op', `?atPosition=${positions[1]}`)).toEqual([totals2024({ paid: '20000.00', beneficiaries: 10, available: '134980000.00' })]);
      for (const key of ['op-cd', 'op-zg', 'op']) expect([key, await list(key, `?atPosition=${positions[6]}`)]).toEqual([key, await list(key)]);
    });

    it('a malformed or impossible date, a bad position, both at once, or a misspelt name: 400 validation-failed, as on the balance endpoints', async () => {
      const refusals: [string, { path: string; message: string }][] = [
        ['?asOf=2024-02-30', { path: 'asOf', message: 'must be a real date written YYYY-MM-DD' }],
        ['?asOf=15.03.2024', { path: 'asOf', message: 'must be a real date written YYYY-MM-DD' }],
        ['?atPosition=-1', { path: 'atPosition', message: 'must be a non-negative integer' }],
        ['?asOf=2024-03-15&atPosition=3', { path: 'asOf', message: 'give asOf or atPosition, not both' }],
        ['?asof=2024-03-15', { path: 'asof', message: 'query parameter asof should not exist' }],
      ];
      for (const [query, error] of refusals) {
        const answer = await app.get(`/v1/programs${query}`, 'op-cd');
        expect([query, answer.status, answer.contentType, answer.body.code, answer.body.errors]).toEqual([
          query,
          400,
          'application/problem+json; charset=utf-8',
          'validation-failed',
          [error],
        ]);
        const balances = await app.get(`/v1/programs/${program}/years/${year}/regions${query}`, 'op-cd');
        expect([query, balances.status, balances.body.errors]).toEqual([query, 400, [error]]);
      }
    });

    it('the OpenAPI document lists asOf, atPosition, programCode and fiscalYear for it', async () => {
      const document = (await app.get('/docs/json', 'op')).body;
      const parameters = document.paths['/v1/programs'].get.parameters as { name: string; in: string }[];
      expect(parameters.map(({ name, in: where }) => `${where}:${name}`).sort()).toEqual(['query:asOf', 'query:atPosition', 'query:fiscalYear', 'query:minPosition', 'query:programCode']);
    });
  });
});
