import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ID_GENERATOR,
  RecordAllocationCommand,
  RecordDisbursementCommand,
  ReportPerformanceActualCommand,
  ReverseDisbursementCommand,
  SettleRegionYearCommand,
  type CommandContext,
  type CommandOutcome,
  type IdGenerator,
} from '@earmark/application';
import { fenToString, parseYuan } from '@earmark/domain';
import type { FastifyReply } from 'fastify';
import { CurrentKey, Roles } from '../auth/auth.guard';
import type { ApiKey } from '../auth/api-keys';
import { Idempotency, type IdempotencyInput } from '../http/idempotency';
import { ValidationFailed } from '../http/problem.filter';
import {
  PerformanceActualDto,
  RecordAllocationDto,
  RecordDisbursementDto,
  ReverseDisbursementDto,
  SettleRegionYearDto,
} from './command.dtos';

const idempotencyHeader = {
  name: 'Idempotency-Key',
  required: true,
  description: '1–128 of [A-Za-z0-9._:-]. The same key and body answer the first response again.',
};
const problem = { description: 'application/problem+json with a stable `code`' };

function contextOf(key: ApiKey, idempotency: IdempotencyInput): CommandContext {
  return { actor: { name: key.name, role: key.role, regions: key.regions }, idempotency };
}

/** Sends a command's outcome: 201 with its body, or the stored problem of a refusal. */
function send(reply: FastifyReply, outcome: CommandOutcome) {
  void reply.status(outcome.status);
  if (outcome.status >= 400) void reply.header('content-type', 'application/problem+json; charset=utf-8');
  return outcome.body;
}

@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader(idempotencyHeader)
@ApiResponse({ status: 400, ...problem })
@ApiResponse({ status: 401, ...problem })
@ApiResponse({ status: 403, ...problem })
@ApiResponse({ status: 409, ...problem })
@ApiResponse({ status: 422, ...problem })
@Roles('finance')
@Controller('v1')
export class CommandsController {
  constructor(private readonly commandBus: CommandBus, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  @Post('allocations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an allocation document (预拨, or 补拨 after settlement)' })
  @ApiBody({ type: RecordAllocationDto })
  @ApiResponse({ status: 201, description: '{ documentNo, lines, total, position }' })
  async recordAllocation(
    @Body() dto: RecordAllocationDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const seen = new Set<string>();
    const duplicates = dto.lines.filter((line) => seen.size === seen.add(line.regionCode).size);
    if (duplicates.length > 0) {
      throw new ValidationFailed(duplicates.map((line) => ({ path: 'lines', message: `region ${line.regionCode} is listed twice` })));
    }
    const outcome = await this.commandBus.execute(
      new RecordAllocationCommand(contextOf(key, idempotency), {
        documentNo: dto.documentNo,
        title: dto.title,
        kind: dto.kind,
        programCode: dto.programCode,
        programName: dto.programName,
        fiscalYear: dto.fiscalYear,
        issuedOn: dto.issuedOn,
        issuerRegionCode: dto.issuerRegionCode,
        incomeSubject: dto.incomeSubject,
        expenditureSubject: dto.expenditureSubject,
        totalFen: fenToString(parseYuan(dto.total)),
        lines: dto.lines.map((line) => ({ regionCode: line.regionCode, amountFen: fenToString(parseYuan(line.amount)) })),
      }),
    );
    return send(reply, outcome);
  }

  @Post('disbursements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Money leaves a region: a beneficiary payment, a pass-down or a return' })
  @ApiBody({ type: RecordDisbursementDto })
  @ApiResponse({ status: 201, description: '{ disbursementId, available, position }' })
  async recordDisbursement(
    @Body() dto: RecordDisbursementDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.commandBus.execute(
      new RecordDisbursementCommand(contextOf(key, idempotency), {
        disbursementId: this.ids.newId(),
        programCode: dto.programCode,
        fiscalYear: dto.fiscalYear,
        regionCode: dto.regionCode,
        kind: dto.kind,
        amountFen: fenToString(parseYuan(dto.amount)),
        paidOn: dto.paidOn,
        voucherNo: dto.voucherNo,
        ...(dto.expenditureSubject !== undefined ? { expenditureSubject: dto.expenditureSubject } : {}),
        ...(dto.beneficiaries !== undefined ? { beneficiaries: dto.beneficiaries } : {}),
        ...(dto.toRegionCode !== undefined ? { toRegionCode: dto.toRegionCode } : {}),
      }),
    );
    return send(reply, outcome);
  }

  @Post('disbursements/:disbursementId/reversal')
  @HttpCode(201)
  @ApiOperation({ summary: 'Cancel a recorded disbursement: the money goes back where it came from' })
  @ApiBody({ type: ReverseDisbursementDto })
  @ApiResponse({ status: 201, description: '{ disbursementId, position }' })
  @ApiResponse({ status: 404, ...problem })
  async reverseDisbursement(
    @Param('disbursementId') disbursementId: string,
    @Body() dto: ReverseDisbursementDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(disbursementId)) {
      throw new ValidationFailed([{ path: 'disbursementId', message: 'not a disbursement id' }]);
    }
    const outcome = await this.commandBus.execute(
      new ReverseDisbursementCommand(contextOf(key, idempotency), {
        disbursementId,
        reason: dto.reason,
        reversedOn: dto.reversedOn,
      }),
    );
    return send(reply, outcome);
  }

  @Post('settlements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Settle a region-year against actuals' })
  @ApiBody({ type: SettleRegionYearDto })
  @ApiResponse({ status: 201, description: '{ entitled, allocated, adjustment, position } (adjustment may be negative)' })
  async settle(
    @Body() dto: SettleRegionYearDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.commandBus.execute(
      new SettleRegionYearCommand(contextOf(key, idempotency), {
        programCode: dto.programCode,
        fiscalYear: dto.fiscalYear,
        regionCode: dto.regionCode,
        documentNo: dto.documentNo,
        settledOn: dto.settledOn,
        actuals: dto.actuals.map((a) => ({
          category: a.category,
          persons: a.persons,
          perPersonFen: fenToString(parseYuan(a.perPerson)),
        })),
      }),
    );
    return send(reply, outcome);
  }

  @Post('performance-actuals')
  @HttpCode(201)
  @ApiOperation({ summary: 'Report a performance indicator the ledger cannot compute itself' })
  @ApiBody({ type: PerformanceActualDto })
  @ApiResponse({ status: 201, description: '{ position }' })
  async reportPerformanceActual(
    @Body() dto: PerformanceActualDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.commandBus.execute(
      new ReportPerformanceActualCommand(contextOf(key, idempotency), {
        programCode: dto.programCode,
        fiscalYear: dto.fiscalYear,
        regionCode: dto.regionCode,
        indicator: dto.indicator,
        value: dto.value,
        period: dto.period,
        reportedOn: dto.reportedOn,
      }),
    );
    return send(reply, outcome);
  }
}
