import { regionFigures, type RecordPerformanceTargets } from '../src';
import { actor, fiscalYear, given, now, programCode, seedPreAllocation } from './support/fund-spec';

describe('RecordPerformanceTargets: a 市(州) target table', () => {
  const targets = (regionCode: string): RecordPerformanceTargets => ({
    type: 'RecordPerformanceTargets',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      documentNo: '川财社〔2024〕2号',
      amountFen: '255660000',
      overallGoal: '按照政策规定应缴尽缴',
      targets: [
        { level1: '产出指标', level2: '数量指标', level3: '困难群体参保率', indicator: 'enrolment-rate', value: '≥95%' },
        { level1: '产出指标', level2: '质量指标', level3: '代缴标准', indicator: 'minimum-standard', value: '100元' },
      ],
      warnings: [],
    },
    metadata: { actor, now, commandId: 'cmd-0001' },
  });

  it('records the table as the document gives it, moving no money', () => {
    const state = given(seedPreAllocation())
      .when(targets('510100'))
      .then([{ type: 'PerformanceTargetsRecorded', data: targets('510100').data }]);

    expect(regionFigures(state, '510100').availableFen).toBe(255660000n);
  });

  it('refuses a region the registry does not know', () => {
    given().when(targets('510199')).thenRefuses({ code: 'unknown-region', regionCode: '510199' });
  });
});
