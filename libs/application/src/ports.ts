import { randomFillSync } from 'node:crypto';
import { defaultFundPolicy } from '@earmark/domain';

/** Injection tokens of the application's ports. */
export const EVENT_STORE = Symbol('EventStore');
export const READ_MODELS = Symbol('ReadModelStore');
export const REGION_REGISTRY = Symbol('RegionRegistry');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
export const LEDGER_SETTINGS = Symbol('LedgerSettings');

/** Events the application reads from the store at a time: a fund's stream, or the log. */
export const readPageSize = 5_000;

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export const systemClock: Clock = { now: () => new Date() };

/** The random bits of an id: 8 bytes, of which the variant takes 2 bits. */
const randomBytesPerId = 8;
/**
 * Random bytes are drawn from the system's generator a block at a time, as Node's randomUUID does:
 * a call of its own per id cost about 5–15 µs here, more than the rest of the id. No byte is used twice.
 */
const randomBlock = Buffer.alloc(randomBytesPerId * 512);
let randomTaken = randomBlock.length;

function randomBytesForId(into: Buffer, at: number): void {
  if (randomTaken + randomBytesPerId > randomBlock.length) {
    randomFillSync(randomBlock);
    randomTaken = 0;
  }
  randomBlock.copy(into, at, randomTaken, randomTaken + randomBytesPerId);
  randomTaken += randomBytesPerId;
}

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp first, then a counter within the millisecond,
 * then random bits. Ids made later sort later, so the read models' keys built from them (a
 * disbursement's) are appended at the end of their index instead of scattered through it.
 */
export function timeOrderedIdGenerator(nowMs: () => number = Date.now): IdGenerator {
  const bytes = Buffer.alloc(16);
  let lastMs = -1;
  let counter = 0;
  return {
    newId: () => {
      let ms = nowMs();
      if (ms <= lastMs) {
        // Same millisecond (or a clock step back): count on from the last id, never below it.
        ms = lastMs;
        counter += 1;
        if (counter > 0xfff) {
          ms += 1;
          counter = 0;
        }
      } else {
        counter = 0;
      }
      lastMs = ms;
      randomBytesForId(bytes, 16 - randomBytesPerId);
      bytes.writeUIntBE(ms, 0, 6);
      bytes[6] = 0x70 | (counter >> 8);
      bytes[7] = counter & 0xff;
      bytes[8] = 0x80 | (bytes[8]! & 0x3f);
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

export const uuidGenerator: IdGenerator = timeOrderedIdGenerator();

export interface LedgerSettings {
  /** How long a query with ?minPosition waits for the projections. */
  readonly minPositionWaitMs: number;
  /**
   * Days after the fiscal year's last day during which payments and pass-downs are still recorded
   * (and flagged late); the decider refuses later ones before settlement.
   */
  readonly latePaymentGraceDays: number;
  /**
   * Events of one fund the service folds in memory for a view of it (the books at a past day or
   * position, the auditors' flags and performance): a larger fund answers those views 503
   * `unavailable` instead of growing the heap past its limit, which would stop the whole service.
   */
  readonly replayMaxFundEvents: number;
}

export const defaultLedgerSettings: LedgerSettings = {
  minPositionWaitMs: 5_000,
  latePaymentGraceDays: defaultFundPolicy.latePaymentGraceDays,
  replayMaxFundEvents: 1_000_000,
};
