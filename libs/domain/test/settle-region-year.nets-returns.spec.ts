import { regionFigures } from '../src';
import {
  disbursementRecorded,
  given,
  regionYearSettled,
  seedPreAllocation,
  settleRegionYear,
} from './support/fund-spec';

// v2: what a region returned to the root before settlement counts against its allocation. v1
// weighed the actuals against the gross pre-allocation and asked for the same money back twice.
describe('SettleRegionYear: returns made before settlement', () => {
  const returnedInJune = disbursementRecorded({
    disbursementId: 'r-1',
    regionCode: '510400',
    kind: 'return',
    amountFen: '5000000',
    paidOn: '2024-06-15',
    toParentRegionCode: '510000',
  });
  const paid = disbursementRecorded({
    disbursementId: 'p-1',
    regionCode: '510400',
    amountFen: '15470000',
    beneficiaries: 1547,
    paidOn: '2024-07-01',
  });

  it('nets them: 攀枝花 returned 50,000.00, paid 154,700.00 for 1,547 persons, and is reconciled at 1,547 × 100.00', () => {
    const state = given(seedPreAllocation(), returnedInJune, paid)
      .when(settleRegionYear('510400', [[1547, '10000']]))
      .then([
        regionYearSettled('510400', {
          actuals: [[1547, '10000']],
          entitledFen: '15470000',
          preAllocatedFen: '20470000',
          returnedBeforeFen: '5000000',
          allocatedFen: '15470000',
          adjustmentFen: '0',
        }),
      ]);

    expect(regionFigures(state, '510400')).toMatchObject({ status: 'reconciled', availableFen: 0n });
  });

  it('refuses a standard below the minimum the notice states (100 元 in Annex 2)', () => {
    const targets = {
      type: 'PerformanceTargetsRecorded' as const,
      data: {
        programCode: 'sc-pension-contribution-subsidy',
        fiscalYear: 2024,
        regionCode: '510400',
        documentNo: '川财社〔2024〕2号',
        amountFen: '20470000',
        overallGoal: '',
        targets: [
          { level1: '产出指标', level2: '时效指标', level3: '代缴城乡居民基本养老保险最低标准', indicator: 'minimum-standard' as const, value: '100元' },
        ],
        warnings: [],
      },
    };
    given(seedPreAllocation(), targets)
      .when(settleRegionYear('510400', [[1547, '1']]))
      .thenRefuses({
        code: 'below-minimum-standard',
        regionCode: '510400',
        detail: "category category-1 is settled at 0.01 元 a person, below the program's minimum of 100.00 元",
      });
  });

  it('refuses a settlement dated before a payment already recorded in the subtree', () => {
    given(seedPreAllocation(), paid)
      .when({ ...settleRegionYear('510400', [[1547, '10000']]), data: { ...settleRegionYear('510400', [[1547, '10000']]).data, settledOn: '2024-06-30' } })
      .thenRefuses({
        code: 'date-out-of-range',
        regionCode: '510400',
        detail: "settledOn 2024-06-30 is before 2024-07-01, the latest date already recorded in 510400's subtree",
      });
  });

  it('fails on a category named twice: the edge refuses it first', () => {
    const twice = settleRegionYear('510400', [[1, '10000']]);
    given(seedPreAllocation())
      .when({ ...twice, data: { ...twice.data, actuals: [twice.data.actuals[0], twice.data.actuals[0]] } })
      .thenFails(/names category category-1 twice/);
  });
});
