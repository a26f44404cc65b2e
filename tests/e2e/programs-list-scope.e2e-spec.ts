import { passDownDocument, payment, preAllocation, program, returned, startTestApp, year, type TestApp } from '../support/test-app';

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
 */
describe('GET /v1/programs for keys that do not cover the funding root', () => {
  let app: TestApp;
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
  });
  afterAll(() => app.close());

  const programName = '困难群体养老保险个人缴费省级财政代缴资金';
  const list = async (key: string) => (await app.get('/v1/programs', key)).body as Record<string, unknown>[];

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
    const fen = (amount: string) => BigInt(amount.replace('.', ''));
    const yuan = (amountFen: bigint) => `${amountFen / 100n}.${(amountFen % 100n).toString().padStart(2, '0')}`;
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
});
