import { rebuildProjections } from '@earmark/projections';
import { ledgerTablesSnapshot } from '../support/ledger-tables-snapshot';
import { passDown, payment, settlement, startTestApp, topUp, type TestApp } from '../support/test-app';

/** Projections are replay-safe: a rebuild from zero equals the live read models, row for row. */
describe('earmark replay', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  it('rebuilds every read model to exactly what the live projection wrote', async () => {
    await app.post('/v1/disbursements', passDown('510300', '510302', '20000.00', 'R-1'), 'zg');
    await app.post('/v1/disbursements', payment('510302', '5000.00', 'R-2', { beneficiaries: 50 }), 'zg');
    const paid = await app.post('/v1/disbursements', payment('510400', '300.00', 'R-3', { beneficiaries: 3 }), 'pzh');
    await app.post(`/v1/disbursements/${paid.body.disbursementId}/reversal`, { reason: 'voucher cancelled', reversedOn: '2024-03-09' }, 'pzh');
    await app.post('/v1/disbursements', payment('510400', '999999999.00', 'R-4'), 'pzh');
    await app.post('/v1/settlements', settlement('510100', [{ category: 'dibao', persons: 26000, perPerson: '100.00' }]), 'prov');
    await app.post('/v1/allocations', topUp('川财社〔2025〕30号', [{ regionCode: '510100', amount: '43400.00' }], '43400.00'), 'prov');

    const { readModels, store, projections } = app.infrastructure;
    const snapshot = () => ledgerTablesSnapshot(readModels, [paid.body.disbursementId as string]);
    const live = await snapshot();
    expect(live.trail.length).toBeGreaterThan(93);
    expect(live.refusals).toHaveLength(1);
    expect(live.disbursements).toEqual([expect.objectContaining({ reversed: true, amountFen: 30000n })]);

    const report = await rebuildProjections(store, readModels, projections);
    // 23 of the seed, 3 disbursements recorded with their locators, a reversal, a refusal, a settlement, a top-up with its reservation.
    expect(report.events).toBe(34);
    expect(await snapshot()).toEqual(live);
    expect(await readModels.checkpoint('ledger')).toBe(report.lastPosition);
  });
});
