import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RecordFlagActionCommand, type CommandOutcome } from '@earmark/application';
import { flagIdPattern, type FlagThresholds } from '@earmark/projections';
import type { ApiKey } from '@earmark/runtime';
import type { FastifyReply } from 'fastify';
import { CurrentKey, Roles } from '../auth/auth.guard';
import { Idempotency, type IdempotencyInput } from '../http/idempotency';
import { ValidationFailed } from '../http/problem.filter';
import { answerOf } from '../http/problems';
import { FLAG_THRESHOLDS } from '../queries/audit-views.controller';
import { FlagActionDto } from './command.dtos';

/** Longer than any id the flags list gives. */
const maxFlagIdLength = 120;

@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader({
  name: 'Idempotency-Key',
  required: true,
  description: '1–128 of [A-Za-z0-9._:-]. The same key and body answer the first response again.',
})
@ApiResponse({
  status: 400,
  description:
    'application/problem+json validation-failed (unknown action; missing, blank or over-long note; control characters; ' +
    'an id that names flags in several program-years without programCode and fiscalYear), idempotency-key-missing, malformed-json',
})
@ApiResponse({ status: 401, description: 'application/problem+json unauthenticated' })
@ApiResponse({
  status: 403,
  description:
    'application/problem+json forbidden: acknowledge and respond need an operator key, archive and reopen an auditor key, ' +
    'covering the flag’s region (a flag about no region: the funding root). Checked on the region the id names before the ' +
    'flag is looked up, so a key gets it whether or not such a flag exists',
})
@ApiResponse({ status: 404, description: 'application/problem+json not-found: no such flag in today’s list' })
@ApiResponse({ status: 409, description: 'application/problem+json idempotency-key-reused, concurrency-conflict' })
@ApiResponse({ status: 422, description: 'application/problem+json invalid-transition: a step out of order. Nothing is recorded' })
@Roles('operator', 'auditor')
@Controller('v1')
export class FlagActionsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(FLAG_THRESHOLDS) private readonly thresholds: FlagThresholds,
  ) {}

  @Post('flags/:id/actions')
  @HttpCode(201)
  @ApiOperation({
    summary: 'A step of a flag’s handling: 预警 raised → 处理 acknowledged → 反馈 responded → 归档 archived, or back to raised by reopen',
  })
  @ApiParam({ name: 'id', example: 'late-pass-down:510100:lot-1', description: 'The flag’s id as the flags list gives it' })
  @ApiBody({ type: FlagActionDto })
  @ApiResponse({
    status: 201,
    description: 'Recorded in the program-year’s flag-handling stream, with the actor and note',
    schema: {
      type: 'object',
      required: ['fiscalYear', 'id', 'position', 'programCode', 'state'],
      properties: {
        fiscalYear: { type: 'integer', example: 2024 },
        id: { type: 'string', example: 'late-pass-down:510100:lot-1' },
        position: { type: 'integer', description: 'The step’s place in the global log' },
        programCode: { type: 'string', example: 'sc-pension-contribution-subsidy' },
        state: { type: 'string', enum: ['raised', 'acknowledged', 'responded', 'archived'] },
      },
    },
  })
  async act(
    @Param('id') id: string,
    @Body() dto: FlagActionDto,
    @CurrentKey() key: ApiKey,
    @Idempotency() idempotency: IdempotencyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (id.length > maxFlagIdLength || !flagIdPattern.test(id)) {
      throw new ValidationFailed([{ path: 'id', message: 'must be a flag id as the flags list gives it' }]);
    }
    const fund =
      dto.programCode !== undefined && dto.fiscalYear !== undefined ? { programCode: dto.programCode, fiscalYear: dto.fiscalYear } : undefined;
    const outcome: CommandOutcome = await this.commandBus.execute(
      new RecordFlagActionCommand(
        { actor: { name: key.name, role: key.role, regions: key.regions }, idempotency },
        { flagId: id, action: dto.action, note: dto.note, ...(fund ? { fund } : {}) },
        this.thresholds,
      ),
    );
    const { status, body } = answerOf(outcome);
    void reply.status(status);
    return body;
  }
}
