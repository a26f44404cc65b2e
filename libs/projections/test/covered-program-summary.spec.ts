import { coveredProgramSummaryView, type ProgramYearDoc, type RegionBalanceDoc } from '@earmark/projections';

/**
 * A program-year's summary for a key that does not cover its funding root sums the balances of
 * the regions it covers. Given 成都市 allocated 2,556,600.00, passing 100,000.00 down to 锦江区 and
 * 50,000.00 to 青羊区, paying 20,000.00 and returning 1,000.00 to the province; 锦江区 paying
 * 30,000.00 and returning 5,000.00 to 成都市.
 */
const fund: ProgramYearDoc = {
  programCode: 'sc-pension-contribution-subsidy',
  programName: '困难群体养老保险个人缴费省级财政代缴资金',
  fiscalYear: 2024,
  issuerRegionCode: '510000',
  incomeSubject: '1100299',
  expenditureSubject: '2083001',
  allocatedFen: '13500000000',
  passedDownFen: '15000000',
  paidFen: '5000000',
  beneficiaries: 20,
  returnedFen: '100000',
  availableFen: '13494900000',
  regions: 93,
  settledRegions: 0,
  documents: [],
  lastPosition: '99',
};

function balance(regionCode: string, counters: Partial<Record<'preAllocatedFen' | 'receivedFen' | 'returnedInFen' | 'passedDownFen' | 'paidFen' | 'returnedFen', bigint>>, beneficiaries = 0): RegionBalanceDoc {
  const fen = (name: keyof typeof counters) => counters[name] ?? 0n;
  const available = fen('preAllocatedFen') + fen('receivedFen') + fen('returnedInFen') - fen('passedDownFen') - fen('paidFen') - fen('returnedFen');
  return {
    programCode: fund.programCode,
    fiscalYear: fund.fiscalYear,
    regionCode,
    allocatedFen: fen('preAllocatedFen').toString(),
    preAllocatedFen: fen('preAllocatedFen').toString(),
    receivedFen: fen('receivedFen').toString(),
    returnedInFen: fen('returnedInFen').toString(),
    passedDownFen: fen('passedDownFen').toString(),
    paidFen: fen('paidFen').toString(),
    beneficiaries,
    returnedFen: fen('returnedFen').toString(),
    availableFen: available.toString(),
    topUpReceivedFen: '0',
    spentAfterSettlementFen: '0',
    returnedAfterSettlementFen: '0',
    receivedAfterSettlementFen: '0',
    settlement: null,
    firstFundedOn: '2024-01-18',
    firstTopUpOn: '',
    lastEffectiveOn: '2024-04-01',
    lastPosition: '99',
  };
}

const chengdu = balance('510100', { preAllocatedFen: 255660000n, returnedInFen: 500000n, passedDownFen: 15000000n, paidFen: 2000000n, returnedFen: 100000n }, 10);
const jinjiang = balance('510104', { receivedFen: 10000000n, paidFen: 3000000n, returnedFen: 500000n }, 10);
const qingyang = balance('510105', { receivedFen: 5000000n });

describe('the figures of the regions a key covers', () => {
  it('成都市 and its 区/县: allocated as the documents gave it, the pass-downs and the district’s return inside them adding nothing', () => {
    expect(coveredProgramSummaryView(fund, [chengdu, jinjiang, qingyang])).toEqual({
      programCode: 'sc-pension-contribution-subsidy',
      programName: '困难群体养老保险个人缴费省级财政代缴资金',
      fiscalYear: 2024,
      allocated: '2556600.00',
      paid: '50000.00',
      beneficiaries: 20,
      available: '2505600.00',
    });
  });

  it('锦江区 alone: nothing allocated to it by a document, what it received from 成都 in what it holds', () => {
    expect(coveredProgramSummaryView(fund, [jinjiang])).toMatchObject({ allocated: '0.00', paid: '30000.00', beneficiaries: 10, available: '65000.00' });
  });
});
