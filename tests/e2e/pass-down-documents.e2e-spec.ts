import { fundStreamName } from '@earmark/domain';
import { passDownDocument, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * A 市's 下达 document lists several 区/县: it is recorded as one event that debits the 市 by the
 * total and credits each line, so that no document is ever half recorded.
 */
describe('POST /v1/pass-downs', () => {
  // Each test starts from the seeded ledger; those about a city that has passed money down
  // record 成都's document first.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const fundStream = fundStreamName(program, year);
  const fundEvents = () => app.infrastructure.store.readStream(fundStream, { maxCount: 10_000 });
  const chengduLines = [
    { regionCode: '510104', amount: '100000.00' },
    { regionCode: '510105', amount: '200000.00' },
  ];
  const recordChengdu = async () => {
    const recorded = await app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕15号', chengduLines, '300000.00'), 'cd');
    expect(recorded.status).toBe(201);
  };

  it('成都 to 锦江区 and 青羊区: 201, one event, the balances moved', async () => {
    const before = (await fundEvents()).length;
    const document = passDownDocument('510100', '成财社〔2024〕15号', chengduLines, '300000.00');
    const { status, body } = await app.post('/v1/pass-downs', document, 'cd');
    expect(status).toBe(201);
    expect(body).toEqual({
      documentNo: '成财社〔2024〕15号',
      lines: 2,
      total: '300000.00',
      available: '2256600.00',
      position: expect.any(Number),
    });

    const added = (await fundEvents()).slice(before);
    expect(added.map((event) => event.type)).toEqual(['PassDownRecorded']);
    expect(added[0].data).toMatchObject({
      regionCode: '510100',
      documentNo: '成财社〔2024〕15号',
      passedOn: '2024-02-01',
      totalFen: '30000000',
      lines: [
        { regionCode: '510104', amountFen: '10000000' },
        { regionCode: '510105', amountFen: '20000000' },
      ],
      afterSettlement: false,
    });

    expect((await app.region('510100')).body).toMatchObject({ allocated: '2556600.00', passedDown: '300000.00', available: '2256600.00' });
    expect((await app.region('510104')).body).toMatchObject({ allocated: '0.00', received: '100000.00', available: '100000.00' });
    expect((await app.region('510105')).body).toMatchObject({ allocated: '0.00', received: '200000.00', available: '200000.00' });
    expect((await app.get(`/v1/programs/${program}/years/${year}`)).body).toMatchObject({
      allocated: '135000000.00',
      passedDown: '300000.00',
      available: '135000000.00',
    });
  });

  it('a line to another city’s district, or to 自贡’s own 扩权县 荣县: 422 not-a-child-region, and nothing moved', async () => {
    await recordChengdu();
    const before = (await fundEvents()).length;
    const acrossCities = passDownDocument(
      '510100',
      '成财社〔2024〕16号',
      [{ regionCode: '510106', amount: '1000.00' }, { regionCode: '510302', amount: '1000.00' }],
      '2000.00',
    );
    const across = await app.post('/v1/pass-downs', acrossCities, 'cd');
    expect([across.status, across.body.code]).toEqual([422, 'not-a-child-region']);

    const toExpandedCounty = passDownDocument(
      '510300',
      '自财社〔2024〕3号',
      [{ regionCode: '510302', amount: '1000.00' }, { regionCode: '510321', amount: '1000.00' }],
      '2000.00',
    );
    const expanded = await app.post('/v1/pass-downs', toExpandedCounty, 'zg');
    expect([expanded.status, expanded.body.code]).toEqual([422, 'not-a-child-region']);

    expect((await fundEvents()).length).toBe(before);
    expect((await app.region('510100')).body).toMatchObject({ passedDown: '300000.00', available: '2256600.00' });
    expect((await app.region('510300')).body).toMatchObject({ passedDown: '0.00', available: '1421900.00' });
    expect((await app.region('510106')).status).toBe(404);
    expect((await app.region('510302')).status).toBe(404);
  });

  it('lines that do not sum to the total: 422 total-mismatch; a total over the balance: 422 insufficient-funds', async () => {
    await recordChengdu();
    const mismatch = await app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕17号', chengduLines, '300000.01'), 'cd');
    expect([mismatch.status, mismatch.body.code]).toEqual([422, 'total-mismatch']);
    expect(mismatch.body.detail).toBe('lines sum to 300,000.00 元, total says 300,000.01 元: differs by 0.01 元');
    const tooMuch = passDownDocument('510100', '成财社〔2024〕18号', [{ regionCode: '510106', amount: '2256600.01' }], '2256600.01');
    const over = await app.post('/v1/pass-downs', tooMuch, 'cd');
    expect([over.status, over.body.code, over.body.detail]).toEqual([422, 'insufficient-funds', 'available 2256600.00 元']);
  });

  it('the same documentNo again, or the seed notice’s number: 409 duplicate-document', async () => {
    await recordChengdu();
    const again = passDownDocument('510100', '成财社〔2024〕15号', [{ regionCode: '510106', amount: '1.00' }], '1.00');
    const second = await app.post('/v1/pass-downs', again, 'cd');
    expect([second.status, second.body.code]).toEqual([409, 'duplicate-document']);
    const seedNumber = { ...again, documentNo: '川财社〔2024〕2号' };
    const clash = await app.post('/v1/pass-downs', seedNumber, 'cd');
    expect([clash.status, clash.body.code]).toEqual([409, 'duplicate-document']);
    expect((await app.region('510100')).body).toMatchObject({ passedDown: '300000.00', available: '2256600.00' });
  });

  it('a region listed twice: 400 naming the repeat; a control character in the number: 400; another city’s key: 403', async () => {
    await recordChengdu();
    const twice = passDownDocument(
      '510100',
      '成财社〔2024〕19号',
      [{ regionCode: '510106', amount: '1.00' }, { regionCode: '510106', amount: '1.00' }],
      '2.00',
    );
    const repeated = await app.post('/v1/pass-downs', twice, 'cd');
    expect([repeated.status, repeated.body.code]).toEqual([400, 'validation-failed']);
    expect(repeated.body.errors).toEqual([{ path: 'lines.1.regionCode', message: 'regionCode 510106 is already listed at lines.0' }]);

    const control = passDownDocument('510100', '成财社\u202e〔2024〕19号', [{ regionCode: '510106', amount: '1.00' }], '1.00');
    const unsafe = await app.post('/v1/pass-downs', control, 'cd');
    expect([unsafe.status, unsafe.body.code, unsafe.body.errors[0].path]).toEqual([400, 'validation-failed', 'documentNo']);

    const byZigong = await app.post('/v1/pass-downs', passDownDocument('510100', '成财社〔2024〕19号', chengduLines, '300000.00'), 'zg');
    expect([byZigong.status, byZigong.body.code]).toEqual([403, 'forbidden']);
    expect((await app.region('510100')).body).toMatchObject({ passedDown: '300000.00', available: '2256600.00' });
  });
});
