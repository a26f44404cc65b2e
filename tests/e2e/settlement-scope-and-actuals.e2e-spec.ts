import { settlement, startTestApp, type TestApp } from '../support/test-app';

/**
 * Who settles, and what a settlement may state. v1 let 自贡's key settle 自贡 itself (and so weigh
 * its own actuals), and 荣县, which the province funds alone; a standard of 0.01 元 a person or
 * the same category twice went through.
 */
describe('Settlements: a key covering the root, real standards, distinct categories', () => {
  // Each test starts from the seeded ledger alone: the one settlement that passes cannot close 自贡 for the others.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  const actuals = [{ category: 'dibao', persons: 14219, perPerson: '100.00' }];

  it('自贡’s key (510300) settling 自贡: 403', async () => {
    const { status, body } = await app.post('/v1/settlements', settlement('510300', actuals), 'zg');
    expect([status, body.code]).toEqual([403, 'forbidden']);
  });

  it('自贡’s key settling 荣县 (510321): 403', async () => {
    const { status, body } = await app.post('/v1/settlements', settlement('510321', actuals), 'zg');
    expect([status, body.code]).toEqual([403, 'forbidden']);
  });

  it('the province settling at 0.01 元 a person, below the notice’s 100 元 (Annex 2): 422 below-minimum-standard', async () => {
    const cheap = [{ category: 'dibao', persons: 14219, perPerson: '0.01' }];
    const { status, body } = await app.post('/v1/settlements', settlement('510300', cheap), 'prov');
    expect([status, body.code]).toEqual([422, 'below-minimum-standard']);
    expect(body.detail).toBe("category dibao is settled at 0.01 元 a person, below the program's minimum of 100.00 元");
  });

  it('the same category twice: 400 validation-failed naming the repeated entry', async () => {
    const twice = [
      { category: 'dibao', persons: 10000, perPerson: '100.00' },
      { category: 'tekun', persons: 2000, perPerson: '100.00' },
      { category: 'dibao', persons: 2219, perPerson: '100.00' },
    ];
    const { status, body } = await app.post('/v1/settlements', settlement('510300', twice), 'prov');
    expect([status, body.code]).toEqual([400, 'validation-failed']);
    expect(body.errors).toEqual([{ path: 'actuals.2.category', message: 'category dibao is already listed at actuals.0' }]);
  });

  it('101 categories, a negative or fractional head count: 400 validation-failed', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ category: `c${i}`, persons: 1, perPerson: '100.00' }));
    for (const bad of [many, [{ ...actuals[0], persons: -1 }], [{ ...actuals[0], persons: 1.5 }]]) {
      const { status, body } = await app.post('/v1/settlements', settlement('510300', bad), 'prov');
      expect([status, body.code]).toEqual([400, 'validation-failed']);
    }
  });

  it('none of these settled anything; the province’s key at 100.00 does: 201', async () => {
    expect((await app.region('510300')).body).toMatchObject({ status: 'open', settlement: null });
    const { status, body } = await app.post('/v1/settlements', settlement('510300', actuals), 'prov');
    expect(status).toBe(201);
    expect(body).toEqual({
      regionCode: '510300',
      entitled: '1421900.00',
      preAllocated: '1421900.00',
      returnedBefore: '0.00',
      allocated: '1421900.00',
      adjustment: '0.00',
      position: expect.any(Number),
    });
  });
});
