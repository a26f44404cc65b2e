import { refusalStreamName, type CommandRefused, type FundCommand, type RuleError } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { refused, type CommandContext, type CommandOutcome } from './command-outcome';
import type { FundCommandSpec } from './decide-and-append';
import { idempotencyRecordOf } from './idempotency-gate';
import { commandEventId, toNewEvent } from './new-events';

/** Fields that may carry personal data never enter the refusal log. */
const personalFields = new Set(['idNumber', 'idNumbers', 'roster', 'beneficiaryIds', 'name', 'names']);

/**
 * A refusal moves no money: its only trace is a CommandRefused event in the fund's refusal
 * stream, kept with the answer so that a retry with the same key gets the same refusal, and read
 * by auditors (the refused-attempt flag).
 */
export class RefusalLog {
  constructor(private readonly store: EventStore) {}

  async record(ctx: CommandContext, spec: FundCommandSpec, command: FundCommand, error: RuleError): Promise<CommandOutcome> {
    const outcome = refused(error.code, error.detail);
    const event: CommandRefused = {
      type: 'CommandRefused',
      data: {
        commandType: command.type,
        code: error.code,
        detail: error.detail,
        programCode: spec.programCode,
        fiscalYear: spec.fiscalYear,
        regionCode: error.regionCode ?? spec.regionCode,
        actor: ctx.actor.name,
        attemptedOn: command.metadata.now,
        command: withoutPersonalData(command.data as unknown as Record<string, unknown>),
      },
    };
    const commandId = command.metadata.commandId;
    await this.store.append({
      streams: [
        {
          streamName: refusalStreamName(spec.programCode, spec.fiscalYear),
          expectedVersion: 'any',
          events: [toNewEvent(event, commandEventId(ctx, commandId, 0), ctx, commandId)],
        },
      ],
      idempotency: idempotencyRecordOf(ctx, outcome),
    });
    return outcome;
  }
}

function withoutPersonalData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !personalFields.has(key)));
}
