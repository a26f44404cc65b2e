import { parseRegionsTsv, RegionRegistry } from '@earmark/domain';
import type { ProgramYearDoc, RegionBalanceDoc } from '@earmark/projections';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLedgerReport, renderReport, ReportTotalsMismatch } from '../src/ledger-report';

const registry = new RegionRegistry(parseRegionsTsv(readFileSync(join(__dirname, '..', '..', '..', 'seeds', 'sichuan-regions.tsv'), 'utf8')));

function region(regionCode: string, figures: Partial<RegionBalanceDoc>): RegionBalanceDoc {
  return {
    programCode: 'p-1',
    fiscalYear: 2024,
    regionCode,
    allocatedFen: '0',
    preAllocatedFen: '0',
    receivedFen: '0',
    returnedInFen: '0',
    passedDownFen: '0',
    paidFen: '0',
    beneficiaries: 0,
    returnedFen: '0',
    availableFen: '0',
    topUpReceivedFen: '0',
    spentAfterSettlementFen: '0',
    returnedAfterSettlementFen: '0',
    receivedAfterSettlementFen: '0',
    settlement: null,
    firstFundedOn: '2024-01-18',
    firstTopUpOn: '',
    lastEffectiveOn: '2024-01-18',
    lastPosition: '1',
    ...figures,
  };
}

/** 成都 got 1,000.00, passed 400.00 to 锦江区, which paid 100.00 for 1 person and returned 50.00 to 成都. */
const regions = [
  region('510100', { allocatedFen: '100000', preAllocatedFen: '100000', passedDownFen: '40000', returnedInFen: '5000', availableFen: '65000' }),
  region('510104', { receivedFen: '40000', paidFen: '10000', beneficiaries: 1, returnedFen: '5000', availableFen: '25000' }),
];

const programYear: ProgramYearDoc = {
  programCode: 'p-1',
  programName: '测试资金',
  fiscalYear: 2024,
  issuerRegionCode: '510000',
  incomeSubject: '1100299',
  expenditureSubject: '2083001',
  allocatedFen: '100000',
  passedDownFen: '40000',
  paidFen: '10000',
  beneficiaries: 1,
  returnedFen: '0',
  availableFen: '90000',
  regions: 2,
  settledRegions: 0,
  documents: [],
  lastPosition: '4',
};

describe('the report’s totals are asserted against the program-year', () => {
  it('rows that add up: the totals row, in 元 from 分', () => {
    const report = buildLedgerReport({ programYear, regions, flags: null, registry, asOf: null });
    expect(renderReport(report, 'csv').split('\n')).toEqual([
      'region,name,allocated,received,received_from_returns,passed_down,paid,persons,returned,available,status,settlement_adjustment,settlement_outstanding',
      '510100,成都市,1000.00,0.00,50.00,400.00,0.00,0,0.00,650.00,open,,',
      '510104,锦江区,0.00,400.00,0.00,0.00,100.00,1,50.00,250.00,open,,',
      'total,,1000.00,400.00,50.00,400.00,100.00,1,50.00,900.00,,,',
      '',
    ]);
    expect(report.returnedToIssuerFen).toBe(0n);
  });

  it('a program-year total one 分 off the rows: refused, naming the figure', () => {
    expect(() => buildLedgerReport({ programYear: { ...programYear, paidFen: '10001' }, regions, flags: null, registry, asOf: null })).toThrow(
      new ReportTotalsMismatch(['paid: rows 100.00, program-year 100.01']),
    );
  });

  it('a row whose available does not follow from its movements: refused, naming the region', () => {
    const broken = [regions[0], { ...regions[1], availableFen: '25001' }];
    expect(() => buildLedgerReport({ programYear, regions: broken, flags: null, registry, asOf: null })).toThrow(
      new ReportTotalsMismatch(['510104 shows available 250.01 where its movements leave 250.00']),
    );
  });
});
