import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { maxFiscalYear, maxLinesPerDocument, maxSettlementCategories, minFiscalYear, programCodePattern } from '@earmark/domain';
import { IsCalendarDate, IsText, IsYuan, OnlyWhen } from '../http/validation';

/** Limits of one request, each named with its unit (the document and fiscal-year bounds are the domain's). */
export const maxActualsPerSettlement = maxSettlementCategories;
export const maxTextLength = 500;
export const maxDocumentNoLength = 100;
export const maxCategoryLength = 64;
const textRule = 'Text: no control characters (C0, C1) and no bidirectional overrides.';
const regionCode = /^[0-9]{6}$/;
const subjectCode = /^[0-9]{3,12}$/;

export class AllocationLineDto {
  @ApiProperty({ example: '510100', pattern: '^[0-9]{6}$' })
  @IsString()
  @Matches(regionCode, { message: 'regionCode must be a 6-digit code' })
  regionCode!: string;

  @ApiProperty({ example: '2556600.00', description: 'Decimal string in 元, > 0' })
  @IsYuan({ positive: true })
  amount!: string;
}

/** The fund and region a command is about: shared by every command but the allocation. */
export class FundRegionDto {
  @ApiProperty({ example: 'sc-pension-contribution-subsidy' })
  @IsString()
  @Matches(programCodePattern, { message: 'programCode must match ^[a-z0-9][a-z0-9-]{1,63}$' })
  programCode!: string;

  @ApiProperty({ example: 2024 })
  @IsInt()
  @Min(minFiscalYear)
  @Max(maxFiscalYear)
  fiscalYear!: number;

  @ApiProperty({ example: '510100' })
  @IsString()
  @Matches(regionCode, { message: 'regionCode must be a 6-digit code' })
  regionCode!: string;
}

export class RecordAllocationDto {
  @ApiProperty({ example: '川财社〔2024〕2号', minLength: 1, maxLength: maxDocumentNoLength, description: textRule })
  @IsText(maxDocumentNoLength)
  documentNo!: string;

  @ApiProperty({
    example: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
    maxLength: maxTextLength,
    description: textRule,
  })
  @IsText(maxTextLength)
  title!: string;

  @ApiProperty({ enum: ['pre-allocation', 'top-up'] })
  @IsIn(['pre-allocation', 'top-up'])
  kind!: 'pre-allocation' | 'top-up';

  @ApiProperty({ example: 'sc-pension-contribution-subsidy', pattern: programCodePattern.source })
  @IsString()
  @Matches(programCodePattern, { message: 'programCode must match ^[a-z0-9][a-z0-9-]{1,63}$' })
  programCode!: string;

  @ApiProperty({ example: '困难群体养老保险个人缴费省级财政代缴资金', maxLength: maxTextLength, description: textRule })
  @IsText(maxTextLength)
  programName!: string;

  @ApiProperty({ example: 2024, minimum: minFiscalYear, maximum: maxFiscalYear })
  @IsInt()
  @Min(minFiscalYear)
  @Max(maxFiscalYear)
  fiscalYear!: number;

  @ApiProperty({
    example: '2024-01-18',
    format: 'date',
    description:
      'A pre-allocation within the fiscal year or the year before; a top-up on or after the settlement it follows ' +
      '(else 422 date-out-of-range)',
  })
  @IsCalendarDate()
  issuedOn!: string;

  @ApiProperty({
    example: '510000',
    description:
      "The program's funding root (its first pre-allocation's issuer), else 422 issuer-not-root; the key must cover it, else 403",
  })
  @IsString()
  @Matches(regionCode, { message: 'issuerRegionCode must be a 6-digit code' })
  issuerRegionCode!: string;

  @ApiProperty({ example: '1100299' })
  @IsString()
  @Matches(subjectCode, { message: 'incomeSubject must be a budget subject code' })
  incomeSubject!: string;

  @ApiProperty({ example: '2083001' })
  @IsString()
  @Matches(subjectCode, { message: 'expenditureSubject must be a budget subject code' })
  expenditureSubject!: string;

  @ApiProperty({ example: '135000000.00' })
  @IsYuan({ positive: true })
  total!: string;

  @ApiProperty({ type: [AllocationLineDto], minItems: 1, maxItems: maxLinesPerDocument })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(maxLinesPerDocument)
  @ValidateNested({ each: true })
  @Type(() => AllocationLineDto)
  lines!: AllocationLineDto[];
}

const disbursementKinds = ['beneficiary-payment', 'pass-down', 'return'] as const;
type DisbursementKind = (typeof disbursementKinds)[number];

/**
 * A field that belongs to some kinds of disbursement only. Sent with another kind it is refused
 * like any unknown field, not dropped: a beneficiary payment with a `toRegionCode` was meant as
 * something else.
 */
function OnlyForKind(kind: DisbursementKind) {
  return OnlyWhen<RecordDisbursementDto>(
    (dto) => dto.kind === kind || !(disbursementKinds as readonly unknown[]).includes(dto.kind),
    (property, dto) => `property ${property} should not exist when kind is ${String(dto.kind)}`,
  );
}

export class RecordDisbursementDto extends FundRegionDto {
  @ApiProperty({ enum: disbursementKinds })
  @IsIn([...disbursementKinds])
  kind!: DisbursementKind;

  @ApiProperty({ example: '1000000.00' })
  @IsYuan({ positive: true })
  amount!: string;

  @ApiProperty({
    example: '2024-03-01',
    format: 'date',
    description:
      'On or after the day the region first received money; before settlement, payments and pass-downs no later ' +
      'than the year’s end plus the grace period (EARMARK_LATE_PAYMENT_GRACE_DAYS, default 90 days), else 422 date-out-of-range',
  })
  @IsCalendarDate()
  paidOn!: string;

  @ApiProperty({ example: 'CD-2024-0001', maxLength: maxDocumentNoLength, description: textRule })
  @IsText(maxDocumentNoLength)
  voucherNo!: string;

  @ApiPropertyOptional({ example: '2083001', description: 'Required for beneficiary-payment, refused with any other kind' })
  @OnlyForKind('beneficiary-payment')
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'beneficiary-payment' || o.expenditureSubject !== undefined)
  @IsString()
  @Matches(subjectCode, { message: 'expenditureSubject must be a budget subject code' })
  expenditureSubject?: string;

  @ApiPropertyOptional({ example: 10000, minimum: 1, description: 'Required for beneficiary-payment, refused with any other kind' })
  @OnlyForKind('beneficiary-payment')
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'beneficiary-payment' || o.beneficiaries !== undefined)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  beneficiaries?: number;

  @ApiPropertyOptional({ example: '510104', description: 'Required for pass-down, refused with any other kind' })
  @OnlyForKind('pass-down')
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'pass-down' || o.toRegionCode !== undefined)
  @IsString()
  @Matches(regionCode, { message: 'toRegionCode must be a 6-digit code' })
  toRegionCode?: string;
}

/** A 市's 下达 document: one debit of `regionCode`, one credit per line, recorded as one event. */
export class RecordPassDownDto extends FundRegionDto {
  @ApiProperty({
    example: '成财社〔2024〕15号',
    minLength: 1,
    maxLength: maxDocumentNoLength,
    description: `Unique across the ledger (else 409 duplicate-document). ${textRule}`,
  })
  @IsText(maxDocumentNoLength)
  documentNo!: string;

  @ApiProperty({
    example: '2024-02-01',
    format: 'date',
    description:
      'On or after the day the region first received money; before settlement no later than the year’s end plus the ' +
      'grace period (else 422 date-out-of-range)',
  })
  @IsCalendarDate()
  passedOn!: string;

  @ApiProperty({
    example: '300000.00',
    description: 'Decimal string in 元, > 0: the sum of the lines (else 422 total-mismatch), at most the available balance',
  })
  @IsYuan({ positive: true })
  total!: string;

  @ApiProperty({
    type: [AllocationLineDto],
    minItems: 1,
    maxItems: maxLinesPerDocument,
    description: 'Distinct regions, each one that `regionCode` funds: its own 区/县, never a 扩权县 (else 422 not-a-child-region)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(maxLinesPerDocument)
  @ValidateNested({ each: true })
  @Type(() => AllocationLineDto)
  lines!: AllocationLineDto[];
}

export class ReverseDisbursementDto {
  @ApiProperty({ example: 'voucher cancelled by the treasury', maxLength: maxTextLength, description: textRule })
  @IsText(maxTextLength)
  reason!: string;

  @ApiProperty({
    example: '2024-03-05',
    format: 'date',
    description: 'Not before the disbursement’s own date (else 422 date-out-of-range)',
  })
  @IsCalendarDate()
  reversedOn!: string;
}

export class SettlementActualDto {
  @ApiProperty({ example: 'dibao', maxLength: maxCategoryLength, description: `Distinct within a settlement. ${textRule}` })
  @IsText(maxCategoryLength)
  category!: string;

  @ApiProperty({ example: 20000, minimum: 0, maximum: 100_000_000 })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  persons!: number;

  @ApiProperty({
    example: '100.00',
    description: "Decimal string in 元; below the program's minimum standard (the notice's Annex 2): 422 below-minimum-standard",
  })
  @IsYuan()
  perPerson!: string;
}

export class SettleRegionYearDto extends FundRegionDto {
  @ApiProperty({ example: '川财社〔2025〕9号', minLength: 1, maxLength: maxDocumentNoLength, description: textRule })
  @IsText(maxDocumentNoLength)
  documentNo!: string;

  @ApiProperty({
    example: '2025-03-31',
    format: 'date',
    description: 'On or after the notice and every date already recorded in the region’s subtree (else 422 date-out-of-range)',
  })
  @IsCalendarDate()
  settledOn!: string;

  @ApiProperty({ type: [SettlementActualDto], minItems: 1, maxItems: maxActualsPerSettlement, description: 'Categories distinct' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(maxActualsPerSettlement)
  @ValidateNested({ each: true })
  @Type(() => SettlementActualDto)
  actuals!: SettlementActualDto[];
}

export class PerformanceActualDto extends FundRegionDto {
  @ApiProperty({ example: 'enrolment-rate', enum: ['enrolment-rate', 'satisfaction', 'persons-covered'] })
  @IsIn(['enrolment-rate', 'satisfaction', 'persons-covered'])
  indicator!: string;

  @ApiProperty({ example: '96.5', description: 'A decimal string: a percentage for rates, a count for persons' })
  @IsString()
  @Matches(/^(0|[1-9][0-9]{0,9})(\.[0-9]{1,4})?$/, { message: 'value must be a decimal string such as "96.5"' })
  value!: string;

  @ApiProperty({ example: '2024' })
  @IsString()
  @Matches(/^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$/, { message: 'period must be YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn' })
  period!: string;

  @ApiProperty({ example: '2024-12-31', format: 'date' })
  @IsCalendarDate()
  reportedOn!: string;
}

/** The longest note a flag's handling step keeps. */
export const maxFlagNoteLength = maxTextLength;

export class FlagActionDto {
  @ApiProperty({
    enum: ['acknowledge', 'respond', 'archive', 'reopen'],
    description:
      'acknowledge (raised → acknowledged) and respond (acknowledged → responded) by an operator key covering the flag’s region; ' +
      'archive (responded → archived) and reopen (responded or archived → raised) by an auditor key covering it',
  })
  @IsIn(['acknowledge', 'respond', 'archive', 'reopen'])
  action!: 'acknowledge' | 'respond' | 'archive' | 'reopen';

  @ApiProperty({ example: '已督促成都市财政局下达', minLength: 1, maxLength: maxFlagNoteLength, description: `Why: kept with the step. ${textRule}` })
  @IsText(maxFlagNoteLength)
  @Matches(/\S/, { message: 'note must not be blank' })
  note!: string;

  @ApiPropertyOptional({
    example: 'sc-pension-contribution-subsidy',
    description: 'The flag’s program-year, with fiscalYear; needed only when the id names flags in several program-years',
  })
  @ValidateIf((dto: FlagActionDto) => dto.programCode !== undefined || dto.fiscalYear !== undefined)
  @IsString()
  @Matches(programCodePattern, { message: 'programCode must match ^[a-z0-9][a-z0-9-]{1,63}$' })
  programCode?: string;

  @ApiPropertyOptional({ example: 2024, description: 'With programCode' })
  @ValidateIf((dto: FlagActionDto) => dto.programCode !== undefined || dto.fiscalYear !== undefined)
  @IsInt()
  @Min(minFiscalYear)
  @Max(maxFiscalYear)
  fiscalYear?: number;
}
