import { CommandBus } from '@nestjs/cqrs';
import {
  RecordAllocationCommand,
  RecordPerformanceTargetsCommand,
  type CommandContext,
  type CommandOutcome,
} from '@earmark/application';
import { formatYuanGrouped, type RegionRegistry } from '@earmark/domain';
import { parseAllocationNotice, type ParsedNotice } from '@earmark/notice-import';

/** The notice itself names no program code; this is the code of the seed's program. */
export const defaultProgramCode = 'sc-pension-contribution-subsidy';

export const importerActor: CommandContext['actor'] = { name: 'notice-import', role: 'system', regions: ['*'] };

export interface ImportOutcome {
  readonly parsed: ParsedNotice;
  readonly allocation: CommandOutcome | null;
  readonly targets: CommandOutcome[];
}

export function describeNotice(parsed: ParsedNotice): string {
  return (
    `${parsed.allocation.documentNo}: ${parsed.summary.lines} lines, ` +
    `${formatYuanGrouped(parsed.summary.totalFen)} 元, ${parsed.summary.targetTables} target tables, ` +
    `${parsed.warnings.length} warnings`
  );
}

/**
 * Parses and cross-checks a notice, then records it through the same command handlers as HTTP:
 * the allocation first (refused whole if any rule fails), then each 市(州)'s targets.
 */
export async function importNotice(
  commandBus: CommandBus,
  registry: RegionRegistry,
  text: string,
  options: { programCode: string; dryRun: boolean; actor?: CommandContext['actor'] },
): Promise<ImportOutcome> {
  const parsed = parseAllocationNotice(text, registry, { programCode: options.programCode });
  if (options.dryRun) return { parsed, allocation: null, targets: [] };
  const ctx: CommandContext = { actor: options.actor ?? importerActor };
  const allocation = await commandBus.execute(new RecordAllocationCommand(ctx, parsed.allocation));
  const targets: CommandOutcome[] = [];
  if (allocation.kind !== 'recorded') return { parsed, allocation, targets };
  for (const table of parsed.targets) {
    targets.push(await commandBus.execute(new RecordPerformanceTargetsCommand(ctx, table)));
  }
  return { parsed, allocation, targets };
}
