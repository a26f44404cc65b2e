import type { LedgerReadModels, LedgerTablesProjection, RecordedEvent, StoreProjection } from '@earmark/event-store';
import { createLedgerProjection } from '../../src';
import { ledgerScenario } from './ledger-scenario';

/** What an adapter of the ledger tables offers the suite: its write side and its read port. */
export interface LedgerTablesSubject {
  readonly readModels: LedgerReadModels;
  applyProjectionBatch(projection: LedgerTablesProjection, events: readonly RecordedEvent[]): Promise<bigint>;
  resetProjections(projections: readonly StoreProjection[]): Promise<void>;
  close(): Promise<void>;
}

const programCode = 'sc-pension-contribution-subsidy';
const fiscalYear = 2024;
const everything = { after: 0n, limit: 1_000 };

async function snapshot(readModels: LedgerReadModels, disbursementIds: readonly string[]) {
  const regions = await readModels.regionBalances(programCode, fiscalYear);
  return {
    programYears: await readModels.listProgramYears(),
    documents: await readModels.programDocuments(programCode, fiscalYear),
    regions,
    trail: await Promise.all(regions.map((region) => readModels.trailPage(programCode, fiscalYear, region.regionCode, everything))),
    disbursements: await Promise.all(disbursementIds.map((id) => readModels.disbursement(id))),
    refusals: await readModels.refusals(programCode, fiscalYear),
    targets: await readModels.performanceTargets(programCode, fiscalYear),
    actuals: await readModels.performanceActuals(programCode, fiscalYear),
  };
}

/**
 * One contract for every place the ledger tables live (a SQLite file, PostgreSQL, memory): the same
 * history folded in, the same rows read out, whatever the batch boundaries.
 */
export function describeLedgerReadModels(name: string, open: () => Promise<LedgerTablesSubject>): void {
  describe(`ledger tables: ${name}`, () => {
    let subject: LedgerTablesSubject;
    let readModels: LedgerReadModels;
    const projection = createLedgerProjection();
    const scenario = ledgerScenario();

    beforeEach(async () => {
      subject = await open();
      readModels = subject.readModels;
    });
    afterEach(() => subject.close());

    it('keeps the program-year as one row of totals and its documents once each, in log order', async () => {
      expect(await subject.applyProjectionBatch(projection, scenario.events)).toBe(9n);
      expect(await readModels.listProgramYears()).toEqual([
        {
          programCode,
          fiscalYear,
          programName: '困难群体养老保险个人缴费省级财政代缴资金',
          issuerRegionCode: '510000',
          incomeSubject: '1100299',
          expenditureSubject: '2083001',
          allocatedFen: 190_000n,
          passedDownFen: 20_000n,
          paidFen: 5_000n,
          beneficiaries: 5,
          returnedFen: 0n,
          availableFen: 185_000n,
          regions: 4,
          settledRegions: 0,
          lastPosition: 9n,
        },
      ]);
      expect(await readModels.programYear(programCode, fiscalYear)).toEqual((await readModels.listProgramYears())[0]);
      expect(await readModels.programYear(programCode, 2025)).toBeNull();
      expect((await readModels.programDocuments(programCode, fiscalYear)).map((d) => [d.position, d.documentNo, d.kind, d.totalFen, d.lines])).toEqual([
        [1n, '川财社〔2024〕2号', 'pre-allocation', 180_000n, 3],
        [9n, '川财社〔2024〕9号', 'top-up', 10_000n, 1],
      ]);
      expect(await readModels.programDocuments(programCode, 2025)).toEqual([]);
    });

    it('keeps one balance row per region, updated in place, listed by region code', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      const regions = await readModels.regionBalances(programCode, fiscalYear);
      expect(regions.map((r) => [r.regionCode, r.allocatedFen, r.receivedFen, r.passedDownFen, r.paidFen, r.availableFen, r.lastPosition])).toEqual([
        ['510100', 110_000n, 0n, 0n, 0n, 110_000n, 9n],
        ['510300', 50_000n, 0n, 20_000n, 0n, 30_000n, 2n],
        ['510302', 0n, 20_000n, 0n, 5_000n, 15_000n, 3n],
        ['510400', 30_000n, 0n, 0n, 0n, 30_000n, 5n],
      ]);
      expect(await readModels.regionBalance(programCode, fiscalYear, '510302')).toEqual({
        programCode,
        fiscalYear,
        regionCode: '510302',
        preAllocatedFen: 0n,
        topUpReceivedFen: 0n,
        receivedFen: 20_000n,
        returnedInFen: 0n,
        passedDownFen: 0n,
        paidFen: 5_000n,
        beneficiaries: 5,
        returnedFen: 0n,
        spentAfterSettlementFen: 0n,
        returnedAfterSettlementFen: 0n,
        receivedAfterSettlementFen: 0n,
        firstReceivedOn: '2024-02-01',
        firstTopUpOn: '',
        lastEffectiveOn: '2024-02-10',
        allocatedFen: 0n,
        availableFen: 15_000n,
        settlement: null,
        lastPosition: 3n,
      });
      expect(await readModels.regionBalance(programCode, fiscalYear, '510104')).toBeNull();
    });

    it('lists only the regions asked for, by region code, skipping those without a balance', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      const asked = async (codes: readonly string[]) => (await readModels.regionBalances(programCode, fiscalYear, codes)).map((r) => [r.regionCode, r.availableFen]);
      expect(await asked(['510400', '510104', '510302'])).toEqual([
        ['510302', 15_000n],
        ['510400', 30_000n],
      ]);
      expect(await asked([])).toEqual([]);
      expect(await asked(["510100' OR '1'='1"])).toEqual([]);
      expect(await readModels.regionBalances(programCode, 2023, ['510100'])).toEqual([]);
    });

    it('pages a region trail by position: after and limit', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      const trail = await readModels.trailPage(programCode, fiscalYear, '510400', everything);
      expect(trail.map((t) => [t.position, t.type, t.amountFen, t.availableAfterFen, t.reference, t.effectiveOn])).toEqual([
        [1n, 'pre-allocation', 30_000n, 30_000n, '川财社〔2024〕2号', '2024-01-18'],
        [4n, 'beneficiary-payment', -3_000n, 27_000n, 'PAY-3', '2024-02-11'],
        [5n, 'reversal', 3_000n, 30_000n, expect.stringMatching(/^PAY-3: /), '2024-02-12'],
      ]);
      expect(trail[0]).toMatchObject({ recordedAt: '2024-01-20T02:00:00.000Z', actor: 'finance-sichuan', hash: '1'.padStart(64, '0') });
      expect((await readModels.trailPage(programCode, fiscalYear, '510400', { after: 1n, limit: 1 })).map((t) => t.position)).toEqual([4n]);
      expect((await readModels.trailPage(programCode, fiscalYear, '510400', { after: 4n, limit: 10 })).map((t) => t.position)).toEqual([5n]);
      expect(await readModels.trailPage(programCode, fiscalYear, '510400', { after: 5n, limit: 10 })).toEqual([]);
      expect(await readModels.trailPage(programCode, fiscalYear, '510104', everything)).toEqual([]);
    });

    it('locates a disbursement by id; a reversal marks it', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      expect(await readModels.disbursement(scenario.reversedId)).toEqual({
        disbursementId: scenario.reversedId,
        programCode,
        fiscalYear,
        regionCode: '510400',
        kind: 'beneficiary-payment',
        amountFen: 3_000n,
        voucherNo: 'PAY-3',
        paidOn: '2024-02-11',
        toRegionCode: null,
        toParentRegionCode: null,
        beneficiaries: 3,
        afterSettlement: false,
        reversed: true,
        position: 4n,
      });
      expect(await readModels.disbursement(scenario.keptId)).toMatchObject({ reversed: false, position: 3n, amountFen: 5_000n });
      expect(await readModels.disbursement('no-such-disbursement')).toBeNull();
    });

    it('keeps refusals and performance reports as rows of their fund', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      expect(await readModels.refusals(programCode, fiscalYear)).toEqual([
        {
          programCode,
          fiscalYear,
          position: 6n,
          recordedAt: '2024-01-20T02:00:00.000Z',
          regionCode: '510400',
          code: 'insufficient-funds',
          data: {
            commandType: 'RecordDisbursement',
            code: 'insufficient-funds',
            detail: 'holds 300.00',
            programCode,
            fiscalYear,
            regionCode: '510400',
            actor: 'pzh',
            attemptedOn: '2024-02-13',
            command: {},
          },
        },
      ]);
      const targets = await readModels.performanceTargets(programCode, fiscalYear);
      expect(targets.map((t) => [t.regionCode, t.position, t.data['documentNo']])).toEqual([['510300', 7n, '川财社〔2024〕2号']]);
      expect(await readModels.performanceActuals(programCode, fiscalYear)).toEqual([
        {
          programCode,
          fiscalYear,
          regionCode: '510300',
          indicator: 'enrolment-rate',
          position: 8n,
          actor: 'finance-city',
          data: { programCode, fiscalYear, regionCode: '510300', indicator: 'enrolment-rate', value: '96%', period: '2024', reportedOn: '2024-12-01' },
        },
      ]);
      expect(await readModels.refusals(programCode, 2025)).toEqual([]);
    });

    it('gives the same rows whatever the batch boundaries; a batch applied again changes nothing; a gap is refused', async () => {
      await subject.applyProjectionBatch(projection, scenario.events);
      const ids = [scenario.reversedId, scenario.keptId];
      const whole = await snapshot(readModels, ids);

      await subject.resetProjections([projection]);
      expect(await readModels.listProgramYears()).toEqual([]);
      expect(await readModels.checkpoint(projection.name)).toBe(0n);
      for (const event of scenario.events) await subject.applyProjectionBatch(projection, [event]);
      expect(await snapshot(readModels, ids)).toEqual(whole);

      expect(await subject.applyProjectionBatch(projection, scenario.events)).toBe(9n);
      expect(await snapshot(readModels, ids)).toEqual(whole);
      expect(await readModels.checkpoint(projection.name)).toBe(9n);

      await subject.resetProjections([projection]);
      await expect(subject.applyProjectionBatch(projection, scenario.events.slice(2))).rejects.toThrow(RangeError);
      expect(await readModels.checkpoint(projection.name)).toBe(0n);
    });
  });
}
