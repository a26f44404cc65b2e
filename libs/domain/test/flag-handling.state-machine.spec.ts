import {
  decideFlagAction,
  evolveFlagState,
  initialFlagState,
  RuleError,
  type FlagAction,
  type FlagActionRecorded,
  type FlagState,
  type RecordFlagAction,
} from '../src';
import { now, registry } from './support/fund-spec';

const flag = {
  flagId: 'late-pass-down:510100:lot-1',
  rule: 'late-pass-down',
  regionCode: '510100',
  severity: 'warning',
  detail: 'holds 2556600.00 of the receipt past 30 days',
  since: '2024-02-18',
  threshold: '30 days',
};

function step(action: FlagAction, role: 'operator' | 'auditor', regions: readonly string[], note = `${action} note`): RecordFlagAction {
  return {
    type: 'RecordFlagAction',
    data: { ...flag, programCode: 'sc-pension-contribution-subsidy', fiscalYear: 2024, action, note, actorRegions: regions },
    metadata: { actor: { name: `${role}-key`, role }, now, commandId: `cmd-${action}` },
  };
}

const operator = (action: FlagAction) => step(action, 'operator', ['510100']);
const auditor = (action: FlagAction) => step(action, 'auditor', ['510000']);

/** Given the steps already taken, the state they leave. */
function given(events: readonly FlagActionRecorded[]): FlagState {
  return events.reduce(evolveFlagState, initialFlagState);
}

function refusalOf(command: RecordFlagAction, state: FlagState): { code: string; detail: string } {
  try {
    decideFlagAction(command, state, registry);
  } catch (error) {
    if (error instanceof RuleError) return { code: error.code, detail: error.detail };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('flag handling: 预警 → 处理 → 反馈 → 归档, and reopen', () => {
  it('takes a flag through every step, each an event with its actor, note and both states', () => {
    const acknowledged = decideFlagAction(operator('acknowledge'), given([]), registry);
    expect(acknowledged).toEqual({
      type: 'FlagActionRecorded',
      data: {
        ...flag,
        programCode: 'sc-pension-contribution-subsidy',
        fiscalYear: 2024,
        action: 'acknowledge',
        note: 'acknowledge note',
        fromState: 'raised',
        toState: 'acknowledged',
        actor: 'operator-key',
        actedAt: now,
      },
    });
    const responded = decideFlagAction(operator('respond'), given([acknowledged]), registry);
    expect([responded.data.fromState, responded.data.toState, responded.data.actor]).toEqual(['acknowledged', 'responded', 'operator-key']);
    const archived = decideFlagAction(auditor('archive'), given([acknowledged, responded]), registry);
    expect([archived.data.fromState, archived.data.toState, archived.data.actor]).toEqual(['responded', 'archived', 'auditor-key']);
    const reopened = decideFlagAction(auditor('reopen'), given([acknowledged, responded, archived]), registry);
    expect([reopened.data.fromState, reopened.data.toState]).toEqual(['archived', 'raised']);
    expect(given([acknowledged, responded, archived, reopened])).toBe('raised');
  });

  it('lets an auditor send a response back (reopen from responded)', () => {
    expect(decideFlagAction(auditor('reopen'), 'responded', registry).data.toState).toBe('raised');
  });

  it.each<[FlagAction, FlagState, string]>([
    ['acknowledge', 'acknowledged', 'flag late-pass-down:510100:lot-1 is acknowledged: acknowledge applies to a flag that is raised'],
    ['acknowledge', 'archived', 'flag late-pass-down:510100:lot-1 is archived: acknowledge applies to a flag that is raised'],
    ['respond', 'raised', 'flag late-pass-down:510100:lot-1 is raised: respond applies to a flag that is acknowledged'],
    ['respond', 'responded', 'flag late-pass-down:510100:lot-1 is responded: respond applies to a flag that is acknowledged'],
    ['archive', 'raised', 'flag late-pass-down:510100:lot-1 is raised: archive applies to a flag that is responded'],
    ['archive', 'acknowledged', 'flag late-pass-down:510100:lot-1 is acknowledged: archive applies to a flag that is responded'],
    ['archive', 'archived', 'flag late-pass-down:510100:lot-1 is archived: archive applies to a flag that is responded'],
    ['reopen', 'raised', 'flag late-pass-down:510100:lot-1 is raised: reopen applies to a flag that is responded or archived'],
    ['reopen', 'acknowledged', 'flag late-pass-down:510100:lot-1 is acknowledged: reopen applies to a flag that is responded or archived'],
  ])('refuses %s on a flag that is %s: invalid-transition', (action, state, detail) => {
    const command = action === 'acknowledge' || action === 'respond' ? operator(action) : auditor(action);
    expect(refusalOf(command, state)).toEqual({ code: 'invalid-transition', detail });
  });

  it.each<[string, RecordFlagAction, FlagState, string]>([
    ['an auditor acknowledging', step('acknowledge', 'auditor', ['*']), 'raised', 'acknowledge needs an operator key, not one of role auditor'],
    ['an operator archiving', step('archive', 'operator', ['*']), 'responded', 'archive needs an auditor key, not one of role operator'],
    ['an operator of another 市', step('acknowledge', 'operator', ['510300']), 'raised', 'key operator-key does not cover region 510100'],
    ['an auditor of another 市', step('archive', 'auditor', ['510300']), 'responded', 'key auditor-key does not cover region 510100'],
  ])('refuses %s: forbidden, before the order of steps is looked at', (_name, command, state, detail) => {
    expect(refusalOf(command, state)).toEqual({ code: 'forbidden', detail });
    // Out of order as well: the role and region are still what is refused.
    expect(refusalOf(command, 'archived' === state ? 'raised' : 'archived').code).toBe('forbidden');
  });

  it('covers a flag about a district by the key of the 市 that funds it, and one about no region only by the root', () => {
    const district = { ...operator('acknowledge'), data: { ...operator('acknowledge').data, regionCode: '510105' } };
    expect(decideFlagAction(district, 'raised', registry).data.toState).toBe('acknowledged');
    const noRegion = { ...operator('acknowledge'), data: { ...operator('acknowledge').data, regionCode: '' } };
    expect(refusalOf(noRegion, 'raised')).toEqual({ code: 'forbidden', detail: 'key operator-key does not cover region of the funding root' });
    const rootKey = { ...noRegion, data: { ...noRegion.data, actorRegions: ['510000'] } };
    expect(decideFlagAction(rootKey, 'raised', registry).data.toState).toBe('acknowledged');
  });
});
