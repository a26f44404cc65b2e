import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApplicationError, EVENT_STORE, LEDGER_SETTINGS, ReadScope, REGION_REGISTRY, type LedgerSettings, type Reader } from '@earmark/application';
import { checkpointEventData } from '@earmark/audit';
import type { RegionRegistry } from '@earmark/domain';
import type { EventStore } from '@earmark/event-store';
import { verifyStore } from '@earmark/runtime';
import { CurrentReader, Roles } from '../auth/auth.guard';
import { ValidationFailed } from '../http/problem.filter';
import { CheckpointService } from './checkpoint.service';
import { CoalescedRuns } from './coalesced-runs';

/** Tree sizes and positions are JSON numbers: exact up to 2^53, far beyond any log this serves. */
const countPattern = /^[0-9]{1,15}$/;

function readCounts<const N extends string>(params: Record<N, string | undefined>, minimum: Record<N, number>): Record<N, number> {
  const errors: { path: string; message: string }[] = [];
  const out = {} as Record<N, number>;
  for (const name of Object.keys(params) as N[]) {
    const value = params[name];
    if (value === undefined) {
      errors.push({ path: name, message: 'is required' });
    } else if (!countPattern.test(value) || Number.parseInt(value, 10) < minimum[name]) {
      errors.push({ path: name, message: `must be a whole number ≥ ${minimum[name]}` });
    } else {
      out[name] = Number.parseInt(value, 10);
    }
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return out;
}

const hex = (hashes: readonly Buffer[]): string[] => hashes.map((hash) => hash.toString('hex'));

const checkpointSchema = {
  type: 'object',
  properties: {
    treeSize: { type: 'integer', example: 24 },
    rootHash: { type: 'string', example: '6ee336085f97777fd78b897f6b23711a2cdcf4d2eeec95cd027502c22ccae535' },
    signature: { type: 'string', description: 'Ed25519 over the checkpoint note (docs/hash-chain.md §3), base64' },
    keyId: { type: 'string', example: '06e3fd8fda29bb60' },
    issuedAt: { type: 'string', format: 'date-time' },
    publicKey: { type: 'string', description: 'SPKI PEM of the signing key, for convenience: check its keyId against the one you hold' },
  },
};

@ApiTags('audit')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'problem+json' })
@ApiResponse({
  status: 403,
  description: 'problem+json forbidden: only auditor keys that cover the funding root (the log holds every region’s events)',
})
@Roles('auditor')
@Controller('v1/audit')
export class AuditController {
  /**
   * One full check at a time, each reading and hashing the whole log: callers arriving during one
   * share the next, so that a burst of calls costs two checks, not one each.
   */
  private readonly verifications = new CoalescedRuns(() =>
    verifyStore(this.store, this.registry, this.checkpoints.publicKeyPem, this.settings.latePaymentGraceDays),
  );

  constructor(
    private readonly checkpoints: CheckpointService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REGION_REGISTRY) private readonly registry: RegionRegistry,
    @Inject(LEDGER_SETTINGS) private readonly settings: LedgerSettings,
  ) {}

  @Get('verify')
  @ApiOperation({ summary: 'Checks the whole log: hash chain, the latest checkpoint’s Merkle root and signature, and a replay of the balances' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        events: { type: 'integer' },
        checkedThrough: { type: 'integer' },
        firstBadPosition: { type: 'integer' },
        reason: { type: 'string' },
        checks: { type: 'object', description: 'chain, merkle, signature, balances: passed | failed | skipped | not-run' },
      },
    },
  })
  async verify(@CurrentReader() reader: Reader) {
    this.requireWholeLog(reader);
    const { report } = await this.verifications.run();
    return {
      ok: report.ok,
      events: report.events,
      checkedThrough: Number(report.checkedThrough),
      ...(report.firstBadPosition === undefined ? {} : { firstBadPosition: Number(report.firstBadPosition) }),
      ...(report.reason === undefined ? {} : { reason: report.reason }),
      checks: report.checks,
    };
  }

  @Get('checkpoints/latest')
  @ApiOperation({ summary: 'The latest signed checkpoint (one is issued when none exists yet)' })
  @ApiResponse({ status: 200, schema: checkpointSchema })
  async latestCheckpoint(@CurrentReader() reader: Reader) {
    this.requireWholeLog(reader);
    const { checkpoint } = await this.checkpoints.latestOrIssue();
    return { ...checkpointEventData(checkpoint), publicKey: this.checkpoints.publicKeyPem };
  }

  @Get('proofs/inclusion')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of the event at a position in the tree of a size' })
  @ApiQuery({ name: 'position', description: 'The event’s log position (leafIndex = position − 1)' })
  @ApiQuery({ name: 'treeSize', description: 'The size of the tree, e.g. a checkpoint’s treeSize' })
  @ApiResponse({ status: 200, schema: { type: 'object', properties: { leafIndex: { type: 'integer' }, treeSize: { type: 'integer' }, hashes: { type: 'array', items: { type: 'string' } } } } })
  @ApiResponse({ status: 400, description: 'problem+json validation-failed' })
  @ApiResponse({ status: 404, description: 'problem+json not-found: position beyond treeSize, or treeSize beyond the log' })
  async inclusionProof(
    @CurrentReader() reader: Reader,
    @Query('position') position?: string,
    @Query('treeSize') treeSize?: string,
  ) {
    this.requireWholeLog(reader);
    const counts = readCounts({ position, treeSize }, { position: 1, treeSize: 1 });
    if (counts.position > counts.treeSize) {
      throw new ApplicationError('not-found', `position ${counts.position} is not in a tree of ${counts.treeSize} events`);
    }
    await this.assertLogHolds(counts.treeSize);
    const leafIndex = counts.position - 1;
    return { leafIndex, treeSize: counts.treeSize, hashes: hex(this.checkpoints.tree.inclusionProof(leafIndex, counts.treeSize)) };
  }

  @Get('proofs/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof that the tree of size `to` extends the tree of size `from`' })
  @ApiQuery({ name: 'from', description: 'The older tree size' })
  @ApiQuery({ name: 'to', description: 'The newer tree size, at most the log’s' })
  @ApiResponse({ status: 200, schema: { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' }, hashes: { type: 'array', items: { type: 'string' } } } } })
  @ApiResponse({ status: 400, description: 'problem+json validation-failed' })
  @ApiResponse({ status: 404, description: 'problem+json not-found: `to` beyond the log' })
  async consistencyProof(@CurrentReader() reader: Reader, @Query('from') from?: string, @Query('to') to?: string) {
    this.requireWholeLog(reader);
    const counts = readCounts({ from, to }, { from: 0, to: 0 });
    if (counts.from > counts.to) {
      throw new ValidationFailed([{ path: 'from', message: 'must not exceed to: a log never shrinks' }]);
    }
    await this.assertLogHolds(counts.to);
    return { from: counts.from, to: counts.to, hashes: hex(this.checkpoints.tree.consistencyProof(counts.from, counts.to)) };
  }

  /** The log holds every region's events: an auditor key covering the funding root reads it. */
  private requireWholeLog(reader: Reader): void {
    new ReadScope(this.registry, reader).requireRoot(null, 'the audit log');
  }

  private async assertLogHolds(treeSize: number): Promise<void> {
    const size = await this.checkpoints.tree.cover(treeSize);
    if (size < treeSize) throw new ApplicationError('not-found', `the log holds ${size} events, not ${treeSize}`);
  }
}
