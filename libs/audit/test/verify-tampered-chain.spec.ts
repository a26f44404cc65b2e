import { verifyLedger } from '@earmark/audit';
import { chainEvent, type RecordedEvent } from '@earmark/event-store';
import { allocation, chain, passDown, payment, registry, tamper } from './support/ledger-fixture';

const events = chain([
  allocation('川财社〔2024〕2号', [['510100', 300_000_000n]]),
  passDown('510100', '510104', 100_000_000n, { id: 'd-1' }),
  payment('510104', 1_000_000n, { id: 'd-2' }),
  payment('510104', 2_000_000n, { id: 'd-3' }),
  payment('510100', 3_000_000n, { id: 'd-4' }),
]);

const notRun = { merkle: 'not-run', signature: 'not-run', balances: 'not-run' };

describe('verifyLedger on a log whose chain is broken', () => {
  it('finds one byte changed in one event’s data at that position', () => {
    const edited = tamper(events, 3n, (data) => ({ ...data, amountFen: '9000000' }));
    expect(verifyLedger({ events: edited, registry })).toEqual({
      ok: false,
      events: 5,
      checkedThrough: 2n,
      firstBadPosition: 3n,
      reason: 'position 3: hash does not match its contents',
      checks: { chain: 'failed', ...notRun },
    });
  });

  it('finds an event whose hash was recomputed after an edit, at the next position', () => {
    const edited = events.map((event) =>
      event.position === 3n ? chainEvent({ ...event, data: { ...event.data, amountFen: '9000000' } }, event.previousHash) : event,
    );
    const report = verifyLedger({ events: edited, registry });
    expect(report.firstBadPosition).toBe(4n);
    expect(report.reason).toBe('position 4: previousHash is not the hash of position 3');
  });

  it('finds an event removed from the middle', () => {
    const report = verifyLedger({ events: events.filter((e) => e.position !== 2n), registry });
    expect(report).toMatchObject({ ok: false, checkedThrough: 1n, firstBadPosition: 2n });
    expect(report.reason).toBe('position 2: missing (the log jumps from 1 to 3)');
  });

  it('finds a log that does not start at position 1', () => {
    const report = verifyLedger({ events: events.slice(1), registry });
    expect(report.firstBadPosition).toBe(1n);
    expect(report.reason).toBe('position 1: missing (the log starts at 2)');
  });

  it('finds a position recorded twice', () => {
    const report = verifyLedger({ events: [...events, events[3]], registry });
    expect(report.firstBadPosition).toBe(4n);
    expect(report.reason).toBe('position 4: recorded twice');
  });

  it('finds a first event that is not chained to the genesis hash', () => {
    const first: RecordedEvent = chainEvent(events[0], 'f'.repeat(64));
    const report = verifyLedger({ events: [first, ...events.slice(1)], registry });
    expect(report.firstBadPosition).toBe(1n);
    expect(report.reason).toBe('position 1: previousHash is not the genesis hash');
  });

  it('finds a stream version skipped', () => {
    const skipped = chain([allocation('川财社〔2024〕2号', [['510100', 300_000_000n]])]).map((e) => ({ ...e, streamVersion: 1n }));
    const report = verifyLedger({ events: skipped.map((e) => chainEvent(e, e.previousHash)), registry });
    expect(report.reason).toBe('position 1: fund-sc-pension-contribution-subsidy-2024 goes to version 1 where 0 is due');
  });
});
