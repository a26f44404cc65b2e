import { given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

describe('RecordDisbursement: a pass-down to a region that is not the sender’s own child', () => {
  const passDown = (regionCode: string, toRegionCode: string) =>
    recordDisbursement({ disbursementId: 'd-1', regionCode, kind: 'pass-down', amountFen: '10000', toRegionCode });

  it('refuses a district of another city (成都市 to 自流井区)', () => {
    given(seedPreAllocation())
      .when(passDown('510100', '510302'))
      .thenRefuses({
        code: 'not-a-child-region',
        regionCode: '510100',
        detail: '510302 is not a child of 510100 that 510100 pays',
      });
  });

  it('refuses a 扩权县, which the province pays directly (自贡市 to 荣县)', () => {
    given(seedPreAllocation())
      .when(passDown('510300', '510321'))
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510300' });
  });

  it('refuses the parent and the sender itself', () => {
    given(seedPreAllocation())
      .when(passDown('510100', '510000'))
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510100' });
    given(seedPreAllocation())
      .when(passDown('510100', '510100'))
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510100' });
  });

  it('refuses a code the registry does not know', () => {
    given(seedPreAllocation())
      .when(passDown('510100', '510199'))
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510100' });
  });
});
