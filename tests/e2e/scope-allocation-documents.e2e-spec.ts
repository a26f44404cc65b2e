import { payment, preAllocation, program, startTestApp, topUp, year, type TestApp } from '../support/test-app';

/**
 * Only the funding root creates money. v1 let a 市's key record an allocation document issued by
 * itself (1,000,000.00 元 appeared from nowhere) and let 自贡's key allocate to 荣县, a 扩权县 the
 * province funds alone. Now the key must cover the root, and the issuer must be the root.
 */
describe('Allocation documents: only a key covering the funding root records them', () => {
  // Each test starts from the seeded ledger alone.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const programYear = () => app.get(`/v1/programs/${program}/years/${year}`);

  it('成都’s key (510100) recording a document it issued to 锦江区 for 1,000,000.00: 403, nothing allocated, the attempt kept', async () => {
    const document = preAllocation('成财社〔2024〕1号', '510100', [{ regionCode: '510104', amount: '1000000.00' }], '1000000.00');
    const { status, body } = await app.post('/v1/allocations', document, 'cd');
    expect([status, body.code]).toEqual([403, 'forbidden']);
    expect((await programYear()).body).toMatchObject({ allocated: '135000000.00', available: '135000000.00', regions: 93 });
    expect((await app.region('510104')).status).toBe(404);
    // A scope refusal is a refused attempt too: auditors see who tried.
    const refusals = await app.infrastructure.readModels.refusals(program, year);
    expect(refusals.map((r) => [r.data['code'], r.data['actor'], r.data['commandType']])).toEqual([['forbidden', 'cd', 'RecordAllocation']]);
  });

  it('the province’s key recording a document whose issuer is 成都: 422 issuer-not-root, kept as a refused attempt', async () => {
    const document = preAllocation('成财社〔2024〕2号', '510100', [{ regionCode: '510104', amount: '1000000.00' }], '1000000.00');
    const { status, body } = await app.post('/v1/allocations', document, 'prov');
    expect([status, body.code]).toEqual([422, 'issuer-not-root']);
    expect(body.title).toBe("Issuer is not the program's funding root");
    expect((await programYear()).body).toMatchObject({ allocated: '135000000.00', available: '135000000.00', regions: 93 });
    const refusals = await app.infrastructure.readModels.refusals(program, year);
    expect(refusals.map((r) => [r.data['code'], r.data['actor'], r.data['regionCode']])).toEqual([['issuer-not-root', 'prov', '510100']]);
  });

  it('自贡’s key (510300) allocating to 荣县 (510321), issued by the province or by itself: 403 both', async () => {
    const byProvince = preAllocation('川财社〔2024〕90号', '510000', [{ regionCode: '510321', amount: '1000.00' }], '1000.00');
    const byCity = preAllocation('自财社〔2024〕1号', '510300', [{ regionCode: '510321', amount: '1000.00' }], '1000.00');
    for (const document of [byProvince, byCity]) {
      const { status, body } = await app.post('/v1/allocations', document, 'zg');
      expect([document.issuerRegionCode, status, body.code]).toEqual([document.issuerRegionCode, 403, 'forbidden']);
    }
    // A top-up is an allocation document too.
    const top = await app.post('/v1/allocations', topUp('川财社〔2025〕91号', [{ regionCode: '510300', amount: '1.00' }], '1.00'), 'zg');
    expect([top.status, top.body.code]).toEqual([403, 'forbidden']);
    expect((await app.region('510321')).body).toMatchObject({ allocated: '1257600.00', available: '1257600.00' });
  });

  it('自贡’s key paying from 荣县, a 扩权县 outside its authority: 403; the province’s key may', async () => {
    const byCity = await app.post('/v1/disbursements', payment('510321', '100.00', 'RX-1', { beneficiaries: 1 }), 'zg');
    expect([byCity.status, byCity.body.code]).toEqual([403, 'forbidden']);
    const byProvince = await app.post('/v1/disbursements', payment('510321', '100.00', 'RX-2', { beneficiaries: 1 }), 'prov');
    expect(byProvince.status).toBe(201);
    expect(byProvince.body.available).toBe('1257500.00');
  });

  it('the province’s key recording a proper pre-allocation of another fund: 201', async () => {
    const lines = [{ regionCode: '510300', amount: '5000.00' }];
    const document = { ...preAllocation('川财社〔2024〕92号', '510000', lines, '5000.00'), fiscalYear: 2025, issuedOn: '2024-12-20' };
    const { status, body } = await app.post('/v1/allocations', document, 'prov');
    expect(status).toBe(201);
    expect(body).toEqual({ documentNo: '川财社〔2024〕92号', lines: 1, total: '5000.00', position: expect.any(Number) });
  });
});
