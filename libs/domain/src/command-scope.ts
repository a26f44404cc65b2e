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
 * The region a finance key must cover to send a command. Allocation documents and settlements
 * create or settle money, so only a key covering the program's funding root may send them; every
 * other command needs the region whose money it moves. Null: the command names nothing the key
 * could cover (a reversal of an unknown disbursement), which the decider refuses as not-found.
 */
export function regionToCover(command: FundCommand, state: FundState, registry: RegionRegistry): string | null {
  switch (command.type) {
    case 'RecordAllocation':
      return fundRootOf(state, registry, command.data.issuerRegionCode) ?? command.data.issuerRegionCode;
    case 'SettleRegionYear':
      return fundRootOf(state, registry, command.data.regionCode) ?? command.data.regionCode;
    case 'RecordDisbursement':
    case 'RecordPassDown':
    case 'RecordPerformanceTargets':
    case 'ReportPerformanceActual':
      return command.data.regionCode;
    case 'ReverseDisbursement':
      return state.disbursements.get(command.data.disbursementId)?.regionCode ?? null;
    default:
      return assertNever(command);
  }
}

/** Why a key may not send a command, or null when it may. */
export function commandScopeRefusal(
  holder: KeyHolder,
  command: FundCommand,
  state: FundState,
  registry: RegionRegistry,
): string | null {
  if (holder.role !== 'finance' && holder.role !== 'system') return `role ${holder.role} may not send commands`;
  const region = regionToCover(command, state, registry);
  if (region === null || keyCovers(registry, holder.regions, region)) return null;
  return `key ${holder.name} does not cover ${region}`;
}
