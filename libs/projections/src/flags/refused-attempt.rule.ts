import type { CommandRefused, RuleErrorCode } from '@earmark/domain';
import { effectiveDateOf } from './calendar';
import type { Flag } from './flag.types';
import type { RuleContext } from './flag-rule';

/** The refusals DOMAIN.md names: overdraft, earmark and hierarchy. Any other refusal is info. */
const seriousCodes: ReadonlySet<RuleErrorCode> = new Set(['insufficient-funds', 'earmark-violation', 'not-a-child-region']);

/** Each refused command, with who sent it: nothing moved, but someone tried. */
export function refusedAttemptFlags({ refusalEvents, asOf }: RuleContext): Flag[] {
  const flags: Flag[] = [];
  for (const event of refusalEvents) {
    if (event.type !== 'CommandRefused') continue;
    const attemptedOn = effectiveDateOf(event);
    if (attemptedOn > asOf) continue;
    const data = event.data as unknown as CommandRefused['data'];
    flags.push({
      rule: 'refused-attempt',
      regionCode: data.regionCode ?? '',
      severity: seriousCodes.has(data.code) ? 'warning' : 'info',
      detail: `${data.actor} sent ${data.commandType}, refused ${data.code}: ${data.detail}`,
      since: attemptedOn,
      threshold: 'each refusal',
      evidence: [Number(event.position)],
    });
  }
  return flags;
}
