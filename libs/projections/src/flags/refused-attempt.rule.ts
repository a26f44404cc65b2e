import { decodeLedgerEvent } from '@earmark/domain';
import { effectiveDateOf } from './calendar';
import { withEvidence, type Finding } from './flag.types';
import type { RuleContext } from './flag-rule';

/**
 * The refusals DOMAIN.md names, as warnings: overdraft, earmark, hierarchy (a pass-down outside
 * one's own districts, a line to a region the root does not fund, a document from anyone but the
 * root) and scope (a key acting outside its funding tree, should such a refusal be logged). Any
 * other refusal is info: someone tried, the rules held, nothing suggests a breach.
 */
const warningCodes: ReadonlySet<string> = new Set([
  'insufficient-funds',
  'earmark-violation',
  'not-a-child-region',
  'not-a-recipient',
  'issuer-not-root',
  'forbidden',
]);

/** Each refused command, with who sent it: nothing moved, but someone tried. */
export function refusedAttemptFlags({ refusalEvents, asOf }: RuleContext): Finding[] {
  const flags: Finding[] = [];
  for (const recorded of refusalEvents) {
    const event = decodeLedgerEvent(recorded);
    if (event === null || event.type !== 'CommandRefused') continue;
    const attemptedOn = effectiveDateOf(recorded);
    if (attemptedOn > asOf) continue;
    const { data } = event;
    flags.push({
      rule: 'refused-attempt',
      subject: `refusal-${recorded.position}`,
      regionCode: data.regionCode ?? '',
      severity: warningCodes.has(data.code) ? 'warning' : 'info',
      since: attemptedOn,
      threshold: 'each refusal',
      ...withEvidence(`${data.actor} sent ${data.commandType}, refused ${data.code}: ${data.detail}`, recorded.position, []),
    });
  }
  return flags;
}
