import { chengduPassDown, disbursementRecorded, given, reverseDisbursement, seedPreAllocation } from './support/fund-spec';

/** Money goes back where it came from only if the region it went to still holds it. */
describe('ReverseDisbursement: the receiving region no longer holds the money', () => {
  const passDown = chengduPassDown();

  it('refuses to reverse a pass-down the district has partly spent, naming the district', () => {
    const districtPays = disbursementRecorded({
      disbursementId: 'd-2',
      regionCode: '510104',
      amountFen: '30000000',
      beneficiaries: 3000,
    });
    given(seedPreAllocation(), passDown, districtPays)
      .when(reverseDisbursement('d-1'))
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510104', detail: 'available 200000.00 元' });
  });

  it('refuses to reverse a return the parent city has spent, naming the city', () => {
    const giveBack = disbursementRecorded({
      disbursementId: 'd-2',
      regionCode: '510104',
      kind: 'return',
      amountFen: '20000000',
      toParentRegionCode: '510100',
    });
    const cityPaysAll = disbursementRecorded({
      disbursementId: 'd-3',
      regionCode: '510100',
      amountFen: '225660000',
      beneficiaries: 22566,
    });
    given(seedPreAllocation(), passDown, giveBack, cityPaysAll)
      .when(reverseDisbursement('d-2'))
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510100', detail: 'available 0.00 元' });
  });
});
