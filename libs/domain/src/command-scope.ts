import { fundRootOf } from './fund.decider';
import type { FundState } from './fund.state';
import { keyCovers } from './key-scope';
import { assertNever, type Actor, type FundCommand } from './messages';
import type { RegionRegistry } from './regions';

/** Who sends a command and which regions its key lists. */
export interface KeyHolder extends Actor {
  readonly regions: readonly string[];
}

/**
 * The regions a finance key must cover to send a command. Allocation documents and settlements
 * create or weigh money, so only a key covering the program's funding root may send them (for a
 * region the registry does not know, every root of the registry, and the decider then refuses the
 * region as unknown); every other command needs the region whose money it moves. Empty: the
 * command names nothing a key could cover (a reversal of an unknown disbursement), which the
 * decider refuses as not-found.
 */
export function regionsToCover(command: FundCommand, state: FundState, registry: RegionRegistry): readonly string[] {
  switch (command.type) {
    case 'RecordAllocation':
      return rootsOf(state, registry, command.data.issuerRegionCode);
    case 'SettleRegionYear':
      return rootsOf(state, registry, command.data.regionCode);
    case 'RecordDisbursement':
    case 'RecordPassDown':
    case 'RecordPerformanceTargets':
    case 'ReportPerformanceActual':
      return [command.data.regionCode];
    case 'ReverseDisbursement': {
      const regionCode = state.disbursements.get(command.data.disbursementId)?.regionCode;
      return regionCode === undefined ? [] : [regionCode];
    }
    default:
      return assertNever(command);
  }
}

function rootsOf(state: FundState, registry: RegionRegistry, regionCode: string): readonly string[] {
  const root = fundRootOf(state, registry, regionCode);
  return root === null ? registry.roots() : [root];
}

/** Why a key may not send a command, or null when it may. */
export function commandScopeRefusal(
  holder: KeyHolder,
  command: FundCommand,
  state: FundState,
  registry: RegionRegistry,
): string | null {
  if (holder.role !== 'finance' && holder.role !== 'system') return `role ${holder.role} may not send commands`;
  const uncovered = regionsToCover(command, state, registry).filter((code) => !keyCovers(registry, holder.regions, code));
  if (uncovered.length === 0) return null;
  const rootOnly = command.type === 'RecordAllocation' || command.type === 'SettleRegionYear';
  return rootOnly
    ? `key ${holder.name} may not record ${command.type === 'RecordAllocation' ? 'allocation documents' : 'settlements'}: that needs a key covering the funding root ${uncovered.join(', ')}`
    : `key ${holder.name} may not act for region ${uncovered.join(', ')}`;
}
