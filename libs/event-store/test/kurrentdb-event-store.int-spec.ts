import { randomUUID } from 'node:crypto';
import { EventStoreUnavailableError } from '../src';
import { KurrentDbEventStore } from '../src/kurrentdb';
import { describeEventStoreContract } from './event-store.contract';
import { rejectionOf } from './support/async';
import { describeKurrentDbBehaviour } from './support/kurrentdb-behaviour';

/*
 * The KurrentDB adapter against a real server or cluster, e.g. the one of
 * deploy/docker-compose.kurrentdb.yml:
 *   KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npx jest libs/event-store/test/kurrentdb
 * Each test is a ledger of its own on the shared server (a fresh stream name prefix) with its
 * position map in memory, so the server never needs wiping. (The map in PostgreSQL read models is
 * exercised against the simulated server: its behaviour does not depend on the server.)
 */

const kurrentDbUrl = process.env.KURRENTDB_URL;
const quiet = (): void => undefined;
// The whole of $all is scanned by every store a test opens, and the concurrency test is long.
jest.setTimeout(180_000);

if (kurrentDbUrl) {
  describeEventStoreContract(
    'kurrentdb',
    async () => {
      const store = new KurrentDbEventStore({ connectionString: kurrentDbUrl, streamNamePrefix: `contract-${randomUUID()}/`, log: quiet });
      await store.init();
      return { store, close: () => store.close() };
    },
    { inlineProjections: false },
  );

  describeKurrentDbBehaviour(`the server at ${kurrentDbUrl}`, () => ({ connectionString: kurrentDbUrl }), 'memory');
} else {
  console.warn('KurrentDB contract suite not run: KURRENTDB_URL is not set (see deploy/README.md)');

  describe('KurrentDbEventStore without a KurrentDB server', () => {
    it('init() reports a server that cannot be reached as EventStoreUnavailableError, through the real client', async () => {
      const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false', log: quiet });

      const error = await rejectionOf(store.init());
      await store.close();

      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toMatch(/^kurrentdb init: unavailable/);
    });

    it('is used only once init() has succeeded, and refuses everything once closed', async () => {
      const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false', log: quiet });

      expect(() => store.subscribe({ afterPosition: 0n, onEvents: async () => undefined })).toThrow('KurrentDbEventStore: call init() first');
      await store.close();

      expect(await rejectionOf(store.init())).toBeInstanceOf(EventStoreUnavailableError);
      expect(await rejectionOf(store.headPosition())).toBeInstanceOf(EventStoreUnavailableError);
    });
  });
}
