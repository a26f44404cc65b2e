import { docKey, type DocumentProjection, type RecordedEvent, type StoredDoc } from '@earmark/event-store';

/** Maximum events applied per batch when replaying in memory; bounds the size of one overlay. */
export const replayBatchSize = 1_000;

/**
 * Runs a projection over events without a database: the books as they stood at a position or on a
 * date are the same projection applied to the events up to that point.
 */
export class InMemoryDocs {
  private readonly docs = new Map<string, StoredDoc>();

  constructor(private readonly projection: DocumentProjection) {}

  apply(events: readonly RecordedEvent[]): void {
    for (let start = 0; start < events.length; start += replayBatchSize) {
      const batch = events.slice(start, start + replayBatchSize);
      const loaded = new Map<string, StoredDoc | null>();
      for (const ref of this.projection.refs(batch)) {
        const key = docKey(ref);
        loaded.set(key, this.docs.get(key) ?? null);
      }
      for (const write of this.projection.apply(batch, loaded)) {
        const key = docKey(write);
        if (write.doc === null) this.docs.delete(key);
        else this.docs.set(key, { collection: write.collection, id: write.id, partition: write.partition, doc: write.doc });
      }
    }
  }

  get(collection: string, id: string): StoredDoc | null {
    return this.docs.get(docKey({ collection, id })) ?? null;
  }

  list(collection: string, partition: string): StoredDoc[] {
    return [...this.docs.values()]
      .filter((doc) => doc.collection === collection && doc.partition === partition)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  all(): StoredDoc[] {
    return [...this.docs.values()];
  }
}
