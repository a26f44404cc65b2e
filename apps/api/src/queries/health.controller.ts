import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, READ_MODELS } from '@earmark/application';
import { problemBody } from '../http/problems';
import type { EventStore, ReadModelStore } from '@earmark/event-store';
import { ledgerProjectionName } from '@earmark/projections';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.guard';
import { OPS_SETTINGS, type OpsSettings } from '../ops/ops-settings';

@ApiTags('health')
@Controller('v1')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(OPS_SETTINGS) private readonly settings: OpsSettings,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({
    summary:
      'Liveness, the store in use, the log position and the projection lag; on SQLite also who checkpoints the WAL and how its last pass found it',
  })
  @ApiResponse({
    status: 200,
    description:
      '{ "status": "ok", "store", "position", "projectionPosition", "projectionLag" }; on SQLite also "checkpoints": { "mode": "inline" } or ' +
      '{ "mode": "background", "thread": "not-started" | "running" | "stopped", "restarts", "passes", "completePasses", "failedPasses", "walFrames", "framesLeft" }',
  })
  async health() {
    const position = await this.store.headPosition();
    const projected = await this.readModels.checkpoint(ledgerProjectionName);
    return {
      status: 'ok',
      store: this.store.kind,
      position: Number(position),
      projectionPosition: Number(projected),
      projectionLag: Number(position - projected),
      ...this.store.health?.(),
    };
  }

  @Get('health/live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up and answering. Touches no store' })
  @ApiResponse({ status: 200, description: '{ "status": "ok" }' })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Public()
  @ApiOperation({
    summary:
      'Readiness: the store answers and the projections trail the log by at most EARMARK_READY_MAX_LAG_EVENTS events (default 1000)',
  })
  @ApiResponse({ status: 200, description: '{ "status": "ready", "store", "position", "projectionPosition", "projectionLag", "maxLag" }' })
  @ApiResponse({ status: 503, description: 'problem+json unavailable, with the reason in detail (and the positions when the store answered)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    let position: bigint;
    let projected: bigint;
    try {
      position = await this.store.headPosition();
      projected = await this.readModels.checkpoint(ledgerProjectionName);
    } catch (error) {
      // The reason's type only: a driver's message may carry a connection string.
      void reply.status(503).header('content-type', 'application/problem+json; charset=utf-8');
      return problemBody('unavailable', `the store does not answer (${(error as Error)?.name ?? 'error'})`);
    }
    const lag = position - projected;
    const facts = {
      store: this.store.kind,
      position: Number(position),
      projectionPosition: Number(projected),
      projectionLag: Number(lag),
      maxLag: this.settings.readyMaxLagEvents,
    };
    if (lag > BigInt(this.settings.readyMaxLagEvents)) {
      void reply.status(503).header('content-type', 'application/problem+json; charset=utf-8');
      return { ...problemBody('unavailable', `projections trail the log by ${lag} events, more than ${this.settings.readyMaxLagEvents}`), ...facts };
    }
    return { status: 'ready', ...facts };
  }
}
