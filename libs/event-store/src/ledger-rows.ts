import type {
  DisbursementRow,
  ProgramDocumentRow,
  ProgramYearRow,
  RegionBalanceRow,
  TrailRow,
} from './ledger-tables.port';

/*
 * The ledger tables' columns and the conversion of their rows, shared by the SQL adapters: each
 * driver hands values back in its own types (SQLite bigint and 0/1, PostgreSQL strings for BIGINT
 * and booleans), so an adapter supplies only how one value is read and written.
 */

export type Row = Record<string, unknown>;

/** How one adapter reads and writes a column's value. */
export interface ColumnCodec {
  int(value: unknown): number;
  big(value: unknown): bigint;
  text(value: unknown): string;
  textOrNull(value: unknown): string | null;
  bool(value: unknown): boolean;
  /** A bigint (分 or a position) as the driver takes it. */
  int64(value: bigint): unknown;
  int64OrNull(value: bigint | null | undefined): unknown;
  /** A boolean as the driver takes it. */
  flag(value: boolean): unknown;
}

export const programYearColumns = `program_code, fiscal_year, program_name, issuer_region_code, income_subject, expenditure_subject,
  allocated_fen, passed_down_fen, paid_fen, beneficiaries, returned_fen, available_fen, regions, settled_regions, last_position`;
export const regionBalanceColumns = `program_code, fiscal_year, region_code, pre_allocated_fen, top_up_received_fen, received_fen,
  returned_in_fen, passed_down_fen, paid_fen, beneficiaries, returned_fen, spent_after_settlement_fen,
  returned_after_settlement_fen, received_after_settlement_fen, first_received_on, first_top_up_on, last_effective_on,
  allocated_fen, available_fen, settlement_document_no, settled_on, entitled_fen, settled_pre_allocated_fen,
  returned_before_fen, settled_allocated_fen, adjustment_fen, outstanding_fen, last_position`;
export const documentColumns = 'program_code, fiscal_year, position, document_no, kind, title, issued_on, issuer_region_code, total_fen, lines';
/** The ledger's tables in both SQL stores, in the order a reset empties them. */
export const ledgerTableNames = [
  'rm_program_year',
  'rm_program_document',
  'rm_region_balance',
  'rm_trail',
  'rm_disbursement',
  'rm_refusal',
  'rm_performance_target',
  'rm_performance_actual',
] as const;

export const trailColumns = `program_code, fiscal_year, region_code, position, recorded_at, effective_on, type, amount_fen,
  available_after_fen, reference, actor, hash`;
export const disbursementColumns = `position, disbursement_id, program_code, fiscal_year, region_code, kind, amount_fen, voucher_no, paid_on,
  to_region_code, to_parent_region_code, beneficiaries, after_settlement, reversed`;

/** Rows from the driver's values and back, for the tables both SQL adapters keep alike. */
export function ledgerRowCodec(codec: ColumnCodec) {
  const { int, big, text, textOrNull, bool, int64, int64OrNull, flag } = codec;
  return {
    programYearOf(r: Row): ProgramYearRow {
      return {
        programCode: text(r['program_code']),
        fiscalYear: int(r['fiscal_year']),
        programName: text(r['program_name']),
        issuerRegionCode: text(r['issuer_region_code']),
        incomeSubject: text(r['income_subject']),
        expenditureSubject: text(r['expenditure_subject']),
        allocatedFen: big(r['allocated_fen']),
        passedDownFen: big(r['passed_down_fen']),
        paidFen: big(r['paid_fen']),
        beneficiaries: int(r['beneficiaries']),
        returnedFen: big(r['returned_fen']),
        availableFen: big(r['available_fen']),
        regions: int(r['regions']),
        settledRegions: int(r['settled_regions']),
        lastPosition: big(r['last_position']),
      };
    },

    programYearValues: (row: ProgramYearRow): unknown[] => [
      row.programCode,
      row.fiscalYear,
      row.programName,
      row.issuerRegionCode,
      row.incomeSubject,
      row.expenditureSubject,
      int64(row.allocatedFen),
      int64(row.passedDownFen),
      int64(row.paidFen),
      row.beneficiaries,
      int64(row.returnedFen),
      int64(row.availableFen),
      row.regions,
      row.settledRegions,
      int64(row.lastPosition),
    ],

    regionBalanceOf(r: Row): RegionBalanceRow {
      return {
        programCode: text(r['program_code']),
        fiscalYear: int(r['fiscal_year']),
        regionCode: text(r['region_code']),
        preAllocatedFen: big(r['pre_allocated_fen']),
        topUpReceivedFen: big(r['top_up_received_fen']),
        receivedFen: big(r['received_fen']),
        returnedInFen: big(r['returned_in_fen']),
        passedDownFen: big(r['passed_down_fen']),
        paidFen: big(r['paid_fen']),
        beneficiaries: int(r['beneficiaries']),
        returnedFen: big(r['returned_fen']),
        spentAfterSettlementFen: big(r['spent_after_settlement_fen']),
        returnedAfterSettlementFen: big(r['returned_after_settlement_fen']),
        receivedAfterSettlementFen: big(r['received_after_settlement_fen']),
        firstReceivedOn: text(r['first_received_on']),
        firstTopUpOn: text(r['first_top_up_on']),
        lastEffectiveOn: text(r['last_effective_on']),
        allocatedFen: big(r['allocated_fen']),
        availableFen: big(r['available_fen']),
        settlement:
          r['settlement_document_no'] === null
            ? null
            : {
                documentNo: text(r['settlement_document_no']),
                settledOn: text(r['settled_on']),
                entitledFen: big(r['entitled_fen']),
                preAllocatedFen: big(r['settled_pre_allocated_fen']),
                returnedBeforeFen: big(r['returned_before_fen']),
                allocatedFen: big(r['settled_allocated_fen']),
                adjustmentFen: big(r['adjustment_fen']),
                outstandingFen: big(r['outstanding_fen']),
              },
        lastPosition: big(r['last_position']),
      };
    },

    regionBalanceValues: (row: RegionBalanceRow): unknown[] => [
      row.programCode,
      row.fiscalYear,
      row.regionCode,
      int64(row.preAllocatedFen),
      int64(row.topUpReceivedFen),
      int64(row.receivedFen),
      int64(row.returnedInFen),
      int64(row.passedDownFen),
      int64(row.paidFen),
      row.beneficiaries,
      int64(row.returnedFen),
      int64(row.spentAfterSettlementFen),
      int64(row.returnedAfterSettlementFen),
      int64(row.receivedAfterSettlementFen),
      row.firstReceivedOn,
      row.firstTopUpOn,
      row.lastEffectiveOn,
      int64(row.allocatedFen),
      int64(row.availableFen),
      row.settlement?.documentNo ?? null,
      row.settlement?.settledOn ?? null,
      int64OrNull(row.settlement?.entitledFen),
      int64OrNull(row.settlement?.preAllocatedFen),
      int64OrNull(row.settlement?.returnedBeforeFen),
      int64OrNull(row.settlement?.allocatedFen),
      int64OrNull(row.settlement?.adjustmentFen),
      int64OrNull(row.settlement?.outstandingFen),
      int64(row.lastPosition),
    ],

    documentOf(r: Row): ProgramDocumentRow {
      return {
        programCode: text(r['program_code']),
        fiscalYear: int(r['fiscal_year']),
        position: big(r['position']),
        documentNo: text(r['document_no']),
        kind: text(r['kind']),
        title: text(r['title']),
        issuedOn: text(r['issued_on']),
        issuerRegionCode: text(r['issuer_region_code']),
        totalFen: big(r['total_fen']),
        lines: int(r['lines']),
      };
    },

    trailOf(r: Row): TrailRow {
      return {
        programCode: text(r['program_code']),
        fiscalYear: int(r['fiscal_year']),
        regionCode: text(r['region_code']),
        position: big(r['position']),
        recordedAt: text(r['recorded_at']),
        effectiveOn: text(r['effective_on']),
        type: text(r['type']),
        amountFen: big(r['amount_fen']),
        availableAfterFen: big(r['available_after_fen']),
        reference: text(r['reference']),
        actor: text(r['actor']),
        hash: text(r['hash']),
      };
    },

    /** In `trailColumns` order. */
    trailValues: (t: TrailRow): unknown[] => [
      t.programCode,
      t.fiscalYear,
      t.regionCode,
      int64(t.position),
      t.recordedAt,
      t.effectiveOn,
      t.type,
      int64(t.amountFen),
      int64(t.availableAfterFen),
      t.reference,
      t.actor,
      t.hash,
    ],

    /** In `disbursementColumns` order. */
    disbursementValues: (d: DisbursementRow): unknown[] => [
      int64(d.position),
      d.disbursementId,
      d.programCode,
      d.fiscalYear,
      d.regionCode,
      d.kind,
      int64(d.amountFen),
      d.voucherNo,
      d.paidOn,
      d.toRegionCode,
      d.toParentRegionCode,
      d.beneficiaries,
      flag(d.afterSettlement),
      flag(d.reversed),
    ],

    disbursementOf(r: Row): DisbursementRow {
      return {
        disbursementId: text(r['disbursement_id']),
        programCode: text(r['program_code']),
        fiscalYear: int(r['fiscal_year']),
        regionCode: text(r['region_code']),
        kind: text(r['kind']),
        amountFen: big(r['amount_fen']),
        voucherNo: text(r['voucher_no']),
        paidOn: text(r['paid_on']),
        toRegionCode: textOrNull(r['to_region_code']),
        toParentRegionCode: textOrNull(r['to_parent_region_code']),
        beneficiaries: r['beneficiaries'] === null ? null : int(r['beneficiaries']),
        afterSettlement: bool(r['after_settlement']),
        reversed: bool(r['reversed']),
        position: big(r['position']),
      };
    },
  };
}
