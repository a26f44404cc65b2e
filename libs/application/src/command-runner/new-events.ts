import type { CommandRefused, FlagActionRecorded, FundEvent } from '@earmark/domain';
import { sha256Hex, type JsonObject, type NewEvent } from '@earmark/event-store';
import type { CommandContext } from './command-outcome';

/**
 * Event ids derive from the idempotency key, so that a command retried after a lost answer is
 * also recognised by stores that deduplicate by event id.
 */
export function commandEventId(ctx: CommandContext, commandId: string, index: number): string {
  const seed = ctx.idempotency ? `${ctx.actor.name}\n${ctx.idempotency.key}\n${index}` : `${commandId}\n${index}`;
  const hex = sha256Hex(seed);
  // Shaped as a version 8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A domain event as the store keeps it, with who sent the command that made it. */
export function toNewEvent(event: FundEvent | CommandRefused | FlagActionRecorded, id: string, ctx: CommandContext, commandId: string): NewEvent {
  return {
    id,
    type: event.type,
    data: event.data as unknown as JsonObject,
    metadata: {
      actor: ctx.actor.name,
      role: ctx.actor.role,
      commandId,
      ...(ctx.idempotency ? { idempotencyKey: ctx.idempotency.key } : {}),
    },
  };
}
