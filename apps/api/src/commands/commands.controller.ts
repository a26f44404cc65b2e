import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ID_GENERATOR,
  RecordAllocationCommand,
  RecordDisbursementCommand,
  RecordPassDownCommand,
  ReportPerformanceActualCommand,
  ReverseDisbursementCommand,
  SettleRegionYearCommand,
  type CommandContext,
  type CommandOutcome,
  type IdGenerator,
} from '@earmark/application';
import { fenToString, parseYuan } from '@earmark/domain';
import type { ApiKey } from '@earmark/runtime';
import type { FastifyReply } from 'fastify';
import { CurrentKey, Roles } from '../auth/auth.guard';
import { Idempotency, type IdempotencyInput } from '../http/idempotency';
import { ValidationFailed } from '../http/problem.filter';
import { answerOf } from '../http/problems';
import { repeatedEntries } from '../http/validation';
import {
  PerformanceActualDto,
  RecordAllocationDto,
  RecordDisbursementDto,
  RecordPassDownDto,
  ReverseDisbursementDto,
  SettleRegionYearDto,
} from './command.dtos';

const idempotencyHeader = {
  name: 'Idempotency-Key',
  required: true,
  description: '1–128 of [A-Za-z0-9._:-]. The same key and body answer the first response again.',
};
const problem = { description: 'application/problem+json with a stable `code`' };
const refusal = {
  description:
    'application/problem+json; `code` one of total-mismatch, unknown-region, not-a-recipient, insufficient-funds, ' +
    'earmark-violation, not-a-child-region, year-settled, not-settled, adjustment-exceeded, no-allocation, ' +
    'already-reversed, issuer-not-root, date-out-of-range, below-minimum-standard. Recorded as a refused attempt; moves no money.',
};
const forbidden = {
  description:
    'application/problem+json `forbidden`: not a finance key, or a key whose regions do not cover the region (scope follows ' +
    'the funding tree: a 市 covers its 区/县, never a 扩权县); allocation documents and settlements need a key covering the funding root',
};

const positionSchema = { type: 'integer', description: "The command's last event's place in the global log" };

/** Money answers: decimal strings in 元 with two fraction digits. */
const yuan = (description: string, example: string) => ({ type: 'string', example, description });

function objectSchema(properties: Record<string, object>) {
  return { type: 'object', required: Object.keys(properties), properties };
}

const documentAnswer = objectSchema({
  documentNo: { type: 'string', example: '川财社〔2024〕2号' },
  lines: { type: 'integer', example: 93 },
  total: yuan('The document’s total', '135000000.00'),
  position: positionSchema,
});

/** A 400 naming each entry that repeats an earlier one's key field. */
function refuseRepeated<T>(items: readonly T[], listName: string, field: keyof T & string): void {
  const errors = repeatedEntries(items, listName, field);
  if (errors.length > 0) throw new ValidationFailed(errors);
}

function contextOf(key: ApiKey, idempotency: IdempotencyInput): CommandContext {
  return { actor: { name: key.name, role: key.role, regions: key.regions }, idempotency };
}

/** Sends a command's outcome: 201 with its body, or the stored problem of a refusal. */
function send(reply: FastifyReply, outcome: CommandOutcome) {
  const { status, body } = answerOf(outcome);
  void reply.status(status);
  if (status >= 400) void reply.header('content-type', 'application/problem+json; charset=utf-8');
  return body;
}

@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader(idempotencyHeader)
@ApiResponse({
  status: 400,
  description: 'application/problem+json: validation-failed (with `errors`), idempotency-key-missing, malformed-json',
})
@ApiResponse({ status: 401, ...problem })
@ApiResponse({ status: 403, ...forbidden })
@ApiResponse({
  status: 409,
  description: 'application/problem+json: duplicate-document, duplicate-voucher, idempotency-key-reused, concurrency-conflict',
})
@ApiResponse({ status: 413, description: 'application/problem+json payload-too-large (bodies over 1 MiB)' })
@ApiResponse({ status: 415, description: 'application/problem+json unsupported-media-type (a body that is not application/json)' })
@ApiResponse({ status: 422, ...refusal })
@Roles('finance')
@Controller('v1')
export class CommandsController {
  constructor(private readonly commandBus: CommandBus, @Inject(ID_GENERATOR) private readonly ids: IdGenerator) {}

  @Post('allocations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an allocation document (预拨, or 补拨 after settlement)' })
  @ApiBody({ type: RecordAllocationDto })
  @ApiResponse({ status: 201, description: 'Recorded', schema: documentAnswer })
  async recordAllocation(
    @Body() dto: RecordAllocationDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    refuseRepeated(dto.lines, 'lines', 'regionCode');
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
  @ApiResponse({
    status: 201,
    description: 'Recorded',
    schema: objectSchema({
      disbursementId: { type: 'string' },
      available: yuan('The region’s available balance after this disbursement', '1556600.00'),
      position: positionSchema,
    }),
  })
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
  @ApiResponse({
    status: 201,
    description: 'Reversed',
    schema: objectSchema({ disbursementId: { type: 'string' }, position: positionSchema }),
  })
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

  @Post('pass-downs')
  @HttpCode(201)
  @ApiOperation({ summary: "A 市's 下达 document to several of its 区/县 at once: one atomic event" })
  @ApiBody({ type: RecordPassDownDto })
  @ApiResponse({
    status: 201,
    description: 'Recorded',
    schema: objectSchema({
      documentNo: { type: 'string', example: '成财社〔2024〕15号' },
      lines: { type: 'integer', example: 2 },
      total: yuan('The sum of the lines', '300000.00'),
      available: yuan('The paying region’s available balance after the document', '2256600.00'),
      position: positionSchema,
    }),
  })
  async recordPassDown(
    @Body() dto: RecordPassDownDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    refuseRepeated(dto.lines, 'lines', 'regionCode');
    const outcome = await this.commandBus.execute(
      new RecordPassDownCommand(contextOf(key, idempotency), {
        programCode: dto.programCode,
        fiscalYear: dto.fiscalYear,
        regionCode: dto.regionCode,
        documentNo: dto.documentNo,
        passedOn: dto.passedOn,
        totalFen: fenToString(parseYuan(dto.total)),
        lines: dto.lines.map((line) => ({ regionCode: line.regionCode, amountFen: fenToString(parseYuan(line.amount)) })),
      }),
    );
    return send(reply, outcome);
  }

  @Post('settlements')
  @HttpCode(201)
  @ApiOperation({ summary: 'Settle a region-year against actuals (a key covering the funding root only)' })
  @ApiBody({ type: SettleRegionYearDto })
  @ApiResponse({
    status: 201,
    description: 'Settled',
    schema: objectSchema({
      regionCode: { type: 'string', example: '510100' },
      entitled: yuan('Σ persons × perPerson', '2600000.00'),
      preAllocated: yuan('The pre-allocations the region-year received from the root', '2556600.00'),
      returnedBefore: yuan('What the region returned to the root before the settlement', '0.00'),
      allocated: yuan('preAllocated − returnedBefore: what the actuals are weighed against', '2556600.00'),
      adjustment: yuan('entitled − allocated; positive a top-up owed, negative a claw-back owed (may be negative)', '43400.00'),
      position: positionSchema,
    }),
  })
  async settle(
    @Body() dto: SettleRegionYearDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    refuseRepeated(dto.actuals, 'actuals', 'category');
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
  @ApiResponse({
    status: 201,
    description: 'Recorded',
    schema: objectSchema({ indicator: { type: 'string' }, regionCode: { type: 'string' }, position: positionSchema }),
  })
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
