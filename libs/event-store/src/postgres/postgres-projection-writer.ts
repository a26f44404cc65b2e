import type { PoolClient } from 'pg';
import {
  docKey,
  type DocRef,
  type DocWrite,
  type DocumentProjection,
  type RecordedEvent,
  type StoredDoc,
} from '../event-store.port';
import { docColumns, toStoredDoc, type DocRow } from './postgres-rows';

/**
 * Runs one DocumentProjection over events inside the caller's transaction: loads (and locks) the
 * documents it names, applies it, writes the result and moves its checkpoint to the last event, so
 * that the documents and the checkpoint commit or roll back together.
 */
export async function projectInTransaction(
  client: PoolClient,
  projection: DocumentProjection,
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const loaded = await loadDocsForUpdate(client, projection.refs(events));
  await writeDocs(client, projection.name, projection.apply(events, loaded));
  await client.query({
    name: 'earmark-set-checkpoint',
    text: `INSERT INTO rm_checkpoints (projection, position) VALUES ($1, $2)
           ON CONFLICT (projection) DO UPDATE SET position = GREATEST(rm_checkpoints.position, EXCLUDED.position)`,
    values: [projection.name, events[events.length - 1].position.toString()],
  });
}

async function loadDocsForUpdate(client: PoolClient, refs: readonly DocRef[]): Promise<Map<string, StoredDoc | null>> {
  const loaded = new Map<string, StoredDoc | null>();
  const unique: DocRef[] = [];
  for (const ref of refs) {
    const key = docKey(ref);
    if (loaded.has(key)) continue;
    loaded.set(key, null);
    unique.push(ref);
  }
  if (unique.length === 0) return loaded;
  // Locked so that a rebuild batch and an inline projection never interleave on one document.
  const result = await client.query<DocRow>({
    name: 'earmark-lock-docs',
    text: `SELECT ${docColumns} FROM rm_docs
           WHERE (collection, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
           FOR UPDATE`,
    values: [unique.map((ref) => ref.collection), unique.map((ref) => ref.id)],
  });
  for (const row of result.rows) loaded.set(docKey(row), toStoredDoc(row));
  return loaded;
}

async function writeDocs(client: PoolClient, projectionName: string, writes: readonly DocWrite[]): Promise<void> {
  // One statement may not touch a row twice (ON CONFLICT DO UPDATE refuses it): the last write wins.
  const lastWrites = new Map<string, DocWrite>();
  for (const write of writes) {
    const key = docKey(write);
    lastWrites.delete(key);
    lastWrites.set(key, write);
  }
  const upserts = [...lastWrites.values()].filter((write) => write.doc !== null);
  const deletes = [...lastWrites.values()].filter((write) => write.doc === null);
  if (upserts.length > 0) {
    await client.query({
      name: 'earmark-upsert-docs',
      text: `INSERT INTO rm_docs (collection, id, partition, doc, projection)
             SELECT collection, id, partition, doc, $5
             FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) AS w(collection, id, partition, doc)
             ON CONFLICT (collection, id) DO UPDATE
               SET partition = EXCLUDED.partition, doc = EXCLUDED.doc, projection = EXCLUDED.projection`,
      values: [
        upserts.map((write) => write.collection),
        upserts.map((write) => write.id),
        upserts.map((write) => write.partition),
        upserts.map((write) => JSON.stringify(write.doc)),
        projectionName,
      ],
    });
  }
  if (deletes.length > 0) {
    await client.query({
      name: 'earmark-delete-docs',
      text: 'DELETE FROM rm_docs WHERE (collection, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
      values: [deletes.map((write) => write.collection), deletes.map((write) => write.id)],
    });
  }
}
