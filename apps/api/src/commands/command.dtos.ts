import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsYuan, programCodePattern } from '../http/validation';

/** Limits of one request, each named with its unit. */
export const maxLinesPerDocument = 5_000;
export const maxActualsPerSettlement = 100;
export const maxTextLength = 500;
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
  @Min(2000)
  @Max(2100)
  fiscalYear!: number;

  @ApiProperty({ example: '510100' })
  @IsString()
  @Matches(regionCode, { message: 'regionCode must be a 6-digit code' })
  regionCode!: string;
}

export class RecordAllocationDto {
  @ApiProperty({ example: '川财社〔2024〕2号' })
  @IsString()
  @Length(1, 100)
  documentNo!: string;

  @ApiProperty({ example: '关于预拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知' })
  @IsString()
  @Length(1, maxTextLength)
  title!: string;

  @ApiProperty({ enum: ['pre-allocation', 'top-up'] })
  @IsIn(['pre-allocation', 'top-up'])
  kind!: 'pre-allocation' | 'top-up';

  @ApiProperty({ example: 'sc-pension-contribution-subsidy', pattern: programCodePattern.source })
  @IsString()
  @Matches(programCodePattern, { message: 'programCode must match ^[a-z0-9][a-z0-9-]{1,63}$' })
  programCode!: string;

  @ApiProperty({ example: '困难群体养老保险个人缴费省级财政代缴资金' })
  @IsString()
  @Length(1, maxTextLength)
  programName!: string;

  @ApiProperty({ example: 2024, minimum: 2000, maximum: 2100 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  fiscalYear!: number;

  @ApiProperty({ example: '2024-01-18', format: 'date' })
  @IsCalendarDate()
  issuedOn!: string;

  @ApiProperty({ example: '510000' })
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

export class RecordDisbursementDto extends FundRegionDto {
  @ApiProperty({ enum: ['beneficiary-payment', 'pass-down', 'return'] })
  @IsIn(['beneficiary-payment', 'pass-down', 'return'])
  kind!: 'beneficiary-payment' | 'pass-down' | 'return';

  @ApiProperty({ example: '1000000.00' })
  @IsYuan({ positive: true })
  amount!: string;

  @ApiProperty({ example: '2024-03-01', format: 'date' })
  @IsCalendarDate()
  paidOn!: string;

  @ApiProperty({ example: 'CD-2024-0001' })
  @IsString()
  @Length(1, 100)
  voucherNo!: string;

  @ApiPropertyOptional({ example: '2083001', description: 'Required for beneficiary-payment' })
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'beneficiary-payment' || o.expenditureSubject !== undefined)
  @IsString()
  @Matches(subjectCode, { message: 'expenditureSubject must be a budget subject code' })
  expenditureSubject?: string;

  @ApiPropertyOptional({ example: 10000, minimum: 1, description: 'Required for beneficiary-payment' })
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'beneficiary-payment' || o.beneficiaries !== undefined)
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  beneficiaries?: number;

  @ApiPropertyOptional({ example: '510104', description: 'Required for pass-down' })
  @ValidateIf((o: RecordDisbursementDto) => o.kind === 'pass-down' || o.toRegionCode !== undefined)
  @IsString()
  @Matches(regionCode, { message: 'toRegionCode must be a 6-digit code' })
  toRegionCode?: string;
}

export class ReverseDisbursementDto {
  @ApiProperty({ example: 'voucher cancelled by the treasury' })
  @IsString()
  @Length(1, maxTextLength)
  reason!: string;

  @ApiProperty({ example: '2024-03-05', format: 'date' })
  @IsCalendarDate()
  reversedOn!: string;
}

export class SettlementActualDto {
  @ApiProperty({ example: 'dibao' })
  @IsString()
  @Length(1, 64)
  category!: string;

  @ApiProperty({ example: 20000, minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  persons!: number;

  @ApiProperty({ example: '100.00' })
  @IsYuan()
  perPerson!: string;
}

export class SettleRegionYearDto extends FundRegionDto {
  @ApiProperty({ example: '川财社〔2025〕9号' })
  @IsString()
  @Length(1, 100)
  documentNo!: string;

  @ApiProperty({ example: '2025-03-31', format: 'date' })
  @IsCalendarDate()
  settledOn!: string;

  @ApiProperty({ type: [SettlementActualDto] })
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
