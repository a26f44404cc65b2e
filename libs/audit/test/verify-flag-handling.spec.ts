import { verifyLedger } from '@earmark/audit';
import { chain, cleanLedgerFacts, fiscalYear, programCode, registry, type Fact } from './support/ledger-fixture';

/** A flag's handling step as the ledger records it: it moves no money. */
function flagStep(action: string, fromState: string, toState: string, actor: string): Fact {
  return {
    streamName: `flag-handling-${programCode}-${fiscalYear}`,
    type: 'FlagActionRecorded',
    data: {
      flagId: 'late-pass-down:510100:lot-1',
      rule: 'late-pass-down',
      regionCode: '510100',
      severity: 'warning',
      detail: 'held past 30 days',
      since: '2024-02-18',
      threshold: '30 days',
      programCode,
      fiscalYear,
      action,
      note: `${action} note`,
      fromState,
      toState,
      actor,
      actedAt: '2024-03-03T00:00:00.000Z',
    },
  };
}

describe('verifyLedger on a log holding flag handling steps', () => {
  const steps = [
    flagStep('acknowledge', 'raised', 'acknowledged', 'cd-operator'),
    flagStep('respond', 'acknowledged', 'responded', 'cd-operator'),
    flagStep('archive', 'responded', 'archived', 'sc-auditor'),
  ];
  const facts = cleanLedgerFacts();
  // The steps interleaved with the fund's events, as they arrive in the log.
  const events = chain([...facts.slice(0, 4), steps[0], ...facts.slice(4, 7), steps[1], steps[2], ...facts.slice(7)]);

  it('chains them with the rest and replays the balances as without them', () => {
    expect(verifyLedger({ events, registry })).toEqual({
      ok: true,
      events: facts.length + steps.length,
      checkedThrough: BigInt(facts.length + steps.length),
      checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'passed' },
    });
  });

  it('still finds a step whose recorded content was altered', () => {
    const tampered = events.map((event) =>
      event.type === 'FlagActionRecorded' && event.data['action'] === 'respond' ? { ...event, data: { ...event.data, note: 'altered' } } : event,
    );
    const report = verifyLedger({ events: tampered, registry });
    expect(report.ok).toBe(false);
    expect(report.firstBadPosition).toBe(BigInt(events.findIndex((event) => event.data['action'] === 'respond') + 1));
  });
});
