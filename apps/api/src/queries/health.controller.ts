import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, READ_MODELS } from '@earmark/application';
import type { EventStore, ReadModelStore } from '@earmark/event-store';
import { ledgerProjectionName } from '@earmark/projections';
import { Public } from '../auth/auth.guard';

@ApiTags('health')
@Controller('v1')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness, the store in use, the log position and the projection lag' })
  async health() {
    const position = await this.store.headPosition();
    const projected = await this.readModels.checkpoint(ledgerProjectionName);
    return {
      status: 'ok',
      store: this.store.kind,
      position: Number(position),
      projectionPosition: Number(projected),
      projectionLag: Number(position - projected),
    };
  }
}
