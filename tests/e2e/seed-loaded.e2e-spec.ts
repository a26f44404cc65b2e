import { program, startTestApp, testStore, year, type TestApp } from '../support/test-app';

describe('Given an empty store, when the service starts with the seed notice', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  it('shows the program-year with 135000000.00 allocated over 93 regions', async () => {
    const { status, body } = await app.get(`/v1/programs/${program}/years/${year}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      programCode: program,
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear: 2024,
      allocated: '135000000.00',
      passedDown: '0.00',
      paid: '0.00',
      beneficiaries: 0,
      returned: '0.00',
      available: '135000000.00',
      regions: 93,
      settledRegions: 0,
      incomeSubject: '1100299',
      expenditureSubject: '2083001',
    });
    expect(body.documents).toEqual([
      expect.objectContaining({ documentNo: '川财社〔2024〕2号', kind: 'pre-allocation', total: '135000000.00', lines: 93 }),
    ]);
  });

  it('shows 凉山州 (513400) allocated 26157200.00', async () => {
    const { status, body } = await app.region('513400');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      regionCode: '513400',
      allocated: '26157200.00',
      received: '0.00',
      passedDown: '0.00',
      paid: '0.00',
      beneficiaries: 0,
      returned: '0.00',
      available: '26157200.00',
      status: 'open',
      settlement: null,
    });
  });

  it('lists one balance per funded region, and the programs list agrees', async () => {
    const regions = await app.get(`/v1/programs/${program}/years/${year}/regions`);
    expect(regions.status).toBe(200);
    expect(regions.body).toHaveLength(93);
    const programs = await app.get('/v1/programs');
    expect(programs.body).toEqual([
      {
        programCode: program,
        programName: '困难群体养老保险个人缴费省级财政代缴资金',
        fiscalYear: 2024,
        allocated: '135000000.00',
        paid: '0.00',
        beneficiaries: 0,
        available: '135000000.00',
      },
    ]);
  });

  it('serves the registry, with names resolved within their parent', async () => {
    const all = await app.get('/v1/regions');
    expect(all.body).toHaveLength(205);
    const leshanShizhong = await app.get('/v1/regions/511102');
    expect(leshanShizhong.body).toEqual({
      code: '511102',
      name: '市中区',
      shortName: '市中区',
      level: 'county',
      parentCode: '511100',
      directFromProvince: false,
    });
    expect((await app.get('/v1/regions/519999')).status).toBe(404);
  });

  it('answers health without a token, with the store and position', async () => {
    const { status, body } = await app.call('GET', '/v1/health', { token: null });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', store: testStore, projectionLag: 0 });
    // The allocation, its document reservation and 21 target tables: 23 events.
    expect(body.position).toBe(23);
  });

  it('serves the OpenAPI document at /docs', async () => {
    const json = await app.call('GET', '/docs/json', { token: 'op' });
    expect(json.status).toBe(200);
    expect(Object.keys(json.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/allocations',
        '/v1/disbursements',
        '/v1/disbursements/{disbursementId}/reversal',
        '/v1/pass-downs',
        '/v1/settlements',
        '/v1/performance-actuals',
        '/v1/programs/{programCode}/years/{fiscalYear}/regions/{regionCode}/trail',
      ]),
    );
    const disbursement = json.body.components.schemas.RecordDisbursementDto;
    expect(disbursement.required).toEqual(
      expect.arrayContaining(['programCode', 'fiscalYear', 'regionCode', 'kind', 'amount', 'paidOn', 'voucherNo']),
    );
    expect(disbursement.properties.amount).toMatchObject({ type: 'string', example: '1000000.00' });
    expect(json.body.info.version).toBe('2');
    const passDown = json.body.components.schemas.RecordPassDownDto;
    expect(passDown.required).toEqual(
      expect.arrayContaining(['programCode', 'fiscalYear', 'regionCode', 'documentNo', 'passedOn', 'total', 'lines']),
    );
    expect(passDown.properties.lines).toMatchObject({ type: 'array', minItems: 1, maxItems: 5000 });
    const responsesTo = (path: string) => json.body.paths[path].post.responses;
    const answerFields = (path: string) => Object.keys(responsesTo(path)['201'].content['application/json'].schema.properties);
    expect(answerFields('/v1/pass-downs')).toEqual(['documentNo', 'lines', 'total', 'available', 'position']);
    expect(answerFields('/v1/settlements')).toEqual(['regionCode', 'entitled', 'preAllocated', 'returnedBefore', 'allocated', 'adjustment', 'position']);
    const settlements = responsesTo('/v1/settlements');
    for (const code of ['issuer-not-root', 'date-out-of-range', 'below-minimum-standard']) {
      expect(settlements['422'].description).toContain(code);
    }
    expect(settlements['415'].description).toContain('unsupported-media-type');
    expect(json.body.components.schemas.SettleRegionYearDto.properties.actuals).toMatchObject({ minItems: 1, maxItems: 100 });
    const page = await app.call('GET', '/docs', { token: null });
    expect(page.status).toBe(200);
  });
});
