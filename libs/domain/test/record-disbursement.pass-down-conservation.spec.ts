import { regionFigures, type FundState } from '../src';
import { disbursementRecorded, given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

/** Every 分 that leaves 成都市 for 锦江区 arrives there: the city and its district together hold what was allocated. */
describe('RecordDisbursement: a pass-down from a city to its own district', () => {
  const passDown = {
    disbursementId: 'd-1',
    regionCode: '510100',
    kind: 'pass-down' as const,
    amountFen: '50000000',
    voucherNo: 'CD-XD-0001',
    toRegionCode: '510104',
  };
  const heldOrSpent = (state: FundState, codes: string[]) =>
    codes.reduce((sum, code) => sum + regionFigures(state, code).availableFen + regionFigures(state, code).paidFen, 0n);

  it('moves the money from the city to the district and makes the district funded', () => {
    const state = given(seedPreAllocation())
      .when(recordDisbursement(passDown))
      .then([disbursementRecorded(passDown)]);

    expect(regionFigures(state, '510100')).toMatchObject({ passedDownFen: 50000000n, availableFen: 205660000n });
    expect(regionFigures(state, '510104')).toMatchObject({
      allocatedFen: 0n,
      receivedFen: 50000000n,
      availableFen: 50000000n,
    });
    expect(heldOrSpent(state, ['510100', '510104'])).toBe(255660000n);
  });

  it('lets the district pay from what it received, still conserving the total', () => {
    const payment = { disbursementId: 'd-2', regionCode: '510104', amountFen: '30000000', beneficiaries: 3000 };
    const state = given(seedPreAllocation(), disbursementRecorded(passDown))
      .when(recordDisbursement(payment))
      .then([disbursementRecorded(payment)]);

    expect(regionFigures(state, '510104')).toMatchObject({
      paidFen: 30000000n,
      beneficiaries: 3000,
      availableFen: 20000000n,
    });
    expect(heldOrSpent(state, ['510100', '510104'])).toBe(255660000n);
  });
});
