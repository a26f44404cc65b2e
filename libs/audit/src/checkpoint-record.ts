import { checkpointBodyProblem, signCheckpoint, type Checkpoint } from './checkpoint';
import type { EventStore, JsonObject, RecordedEvent } from '@earmark/event-store';
import type { LedgerTree } from './ledger-tree';

/**
 * Checkpoints are kept in the log itself, as `CheckpointIssued` events: durable with everything
 * else, chained, covered by the next checkpoint, and carried by every export. A checkpoint never
 * covers its own event, which lands just after the events it signs.
 */
export const checkpointStreamName = 'audit-checkpoints';
export const checkpointIssuedType = 'CheckpointIssued';

/** Who the CheckpointIssued events say recorded them. */
export const checkpointActor = 'earmark-checkpoints';

export interface StoredCheckpoint {
  readonly checkpoint: Checkpoint;
  /** Where its CheckpointIssued event sits in the log. */
  readonly position: bigint;
}

/** The event's data, field for field the JSON of GET /v1/audit/checkpoints/latest. */
export function checkpointEventData(checkpoint: Checkpoint): JsonObject {
  return {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    signature: checkpoint.signature,
    keyId: checkpoint.keyId,
    issuedAt: checkpoint.issuedAt,
  };
}

/** A CheckpointIssued event that does not hold a checkpoint: only an edit of the store writes one. */
export class MalformedCheckpointError extends Error {
  constructor(readonly position: bigint, detail: string) {
    super(`position ${position}: ${checkpointIssuedType} ${detail}`);
    this.name = 'MalformedCheckpointError';
  }
}

export function checkpointFromEvent(event: RecordedEvent): Checkpoint {
  const { treeSize, rootHash, signature, keyId, issuedAt } = event.data;
  if (
    typeof treeSize !== 'number' ||
    typeof rootHash !== 'string' ||
    typeof signature !== 'string' ||
    typeof keyId !== 'string' ||
    typeof issuedAt !== 'string'
  ) {
    throw new MalformedCheckpointError(event.position, 'lacks one of treeSize, rootHash, signature, keyId, issuedAt');
  }
  const checkpoint: Checkpoint = { treeSize, rootHash, signature, keyId, issuedAt };
  const problem = checkpointBodyProblem(checkpoint);
  if (problem) throw new MalformedCheckpointError(event.position, `is malformed: ${problem}`);
  return checkpoint;
}

export async function readLatestCheckpoint(store: EventStore): Promise<StoredCheckpoint | null> {
  const [last] = await store.readStream(checkpointStreamName, { direction: 'backwards', maxCount: 1 });
  if (!last) return null;
  return { checkpoint: checkpointFromEvent(last), position: last.position };
}

/** Several processes may issue checkpoints over one store: each simply adds to the stream. */
export async function recordCheckpoint(store: EventStore, checkpoint: Checkpoint, eventId: string, actor: string): Promise<StoredCheckpoint> {
  const result = await store.append({
    streams: [
      {
        streamName: checkpointStreamName,
        expectedVersion: 'any',
        events: [{ id: eventId, type: checkpointIssuedType, data: checkpointEventData(checkpoint), metadata: { actor, role: 'system' } }],
      },
    ],
  });
  return { checkpoint, position: result.lastPosition };
}

/** Signs the root of the whole log as the tree finds it now, and records the checkpoint in it. */
export async function signAndRecordCheckpoint(
  store: EventStore,
  tree: LedgerTree,
  signer: { readonly privateKeyPem: string; readonly actor: string },
  issuedAt: string,
  eventId: string,
): Promise<StoredCheckpoint> {
  const treeSize = await tree.catchUp();
  const checkpoint = signCheckpoint({ treeSize, rootHash: tree.root(treeSize).toString('hex'), issuedAt }, signer.privateKeyPem);
  return recordCheckpoint(store, checkpoint, eventId, signer.actor);
}

/** Checkpoint JSON as the endpoint answers it and as an auditor saves it. */
export function parseCheckpointJson(text: string, source: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source} is not a JSON object`);
  const { treeSize, rootHash, signature, keyId, issuedAt } = value as Record<string, unknown>;
  if (typeof treeSize !== 'number' || typeof rootHash !== 'string' || typeof signature !== 'string' || typeof keyId !== 'string' || typeof issuedAt !== 'string') {
    throw new Error(`${source} is not a checkpoint: it needs treeSize, rootHash, signature, keyId and issuedAt`);
  }
  const checkpoint: Checkpoint = { treeSize, rootHash, signature, keyId, issuedAt };
  const problem = checkpointBodyProblem(checkpoint);
  if (problem) throw new Error(`${source} is not a checkpoint: ${problem}`);
  return checkpoint;
}
