import { ConcurrencyError } from '@earmark/event-store';
import { ApplicationError } from '../problem';

/** How many times a command is decided again after losing a race for its stream. */
export const maxCommandAttempts = 8;

/**
 * The one retry policy of commands that append expecting a version (a fund's commands, a flag's
 * handling steps): a lost race (`ConcurrencyError`) is decided again on the newer state, at most
 * `maxCommandAttempts` times in all, then refused as `concurrency-conflict`. Called from the catch
 * of attempt number `attempt`: it returns when another attempt is due and throws otherwise.
 */
export function retryOrThrow(error: unknown, attempt: number): void {
  if (!(error instanceof ConcurrencyError)) throw error;
  if (attempt >= maxCommandAttempts) {
    throw new ApplicationError('concurrency-conflict', `stream ${error.streamName} kept changing; try again`);
  }
}
