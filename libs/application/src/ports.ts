import { randomUUID } from 'node:crypto';
import { defaultFundPolicy } from '@earmark/domain';

/** Injection tokens of the application's ports. */
export const EVENT_STORE = Symbol('EventStore');
export const READ_MODELS = Symbol('ReadModelStore');
export const REGION_REGISTRY = Symbol('RegionRegistry');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
export const LEDGER_SETTINGS = Symbol('LedgerSettings');

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { newId: () => randomUUID() };

export interface LedgerSettings {
  /** How long a query with ?minPosition waits for the projections. */
  readonly minPositionWaitMs: number;
  /**
   * Days after the fiscal year's last day during which payments and pass-downs are still recorded
   * (and flagged late); the decider refuses later ones before settlement.
   */
  readonly latePaymentGraceDays: number;
}

export const defaultLedgerSettings: LedgerSettings = {
  minPositionWaitMs: 5_000,
  latePaymentGraceDays: defaultFundPolicy.latePaymentGraceDays,
};
