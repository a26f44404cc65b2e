import { type ReportPerformanceActual } from '../src';
import { actor, fiscalYear, given, now, programCode, seedPreAllocation } from './support/fund-spec';

describe('ReportPerformanceActual: an indicator the ledger cannot compute', () => {
  const report = (regionCode: string): ReportPerformanceActual => ({
    type: 'ReportPerformanceActual',
    data: {
      programCode,
      fiscalYear,
      regionCode,
      indicator: 'enrolment-rate',
      value: '96.5%',
      period: '2024',
      reportedOn: '2025-01-15',
    },
    metadata: { actor, now, commandId: 'cmd-0001' },
  });

  it('records the value as reported', () => {
    given(seedPreAllocation())
      .when(report('510300'))
      .then([{ type: 'PerformanceActualReported', data: report('510300').data }]);
  });

  it('refuses a region the registry does not know', () => {
    given().when(report('510199')).thenRefuses({ code: 'unknown-region', regionCode: '510199' });
  });
});
