import { given, lines, recordAllocation } from './support/fund-spec';

describe('RecordAllocation: a region the registry does not know', () => {
  it('refuses an unknown issuer', () => {
    given()
      .when(recordAllocation({ issuerRegionCode: '519900', lines: lines(['510100', '10000']) }))
      .thenRefuses({ code: 'unknown-region', regionCode: '519900', detail: 'region 519900 is not in the registry' });
  });

  it('refuses an unknown line region and names it', () => {
    given()
      .when(recordAllocation({ lines: lines(['510100', '10000'], ['510199', '10000']) }))
      .thenRefuses({ code: 'unknown-region', regionCode: '510199', detail: 'region 510199 is not in the registry' });
  });

  it('refuses an old code the registry has replaced (射洪县 510922 is now 射洪市 510981)', () => {
    given()
      .when(recordAllocation({ lines: lines(['510922', '10000']) }))
      .thenRefuses({ code: 'unknown-region', regionCode: '510922' });
  });
});
