import { join } from 'node:path';
import { KurrentDbEventStore, SqliteEventStore } from '../src';
import { describeEventStoreContract } from './event-store.contract';
import { KurrentDbSimulator } from './support/kurrentdb-simulator';
import { makeTempDir } from './support/temp-dir';

const quiet = (): void => undefined;

describeEventStoreContract(
  'kurrentdb on a simulated server',
  async () => {
    const temp = makeTempDir('earmark-kurrentdb-');
    const readModels = new SqliteEventStore({ file: join(temp.dir, 'read-models.sqlite') });
    await readModels.init();
    const simulator = new KurrentDbSimulator({ multiStreamAppend: true });
    const store = new KurrentDbEventStore({ connectionString: 'kurrentdb://simulated', client: simulator.client(), readModels, log: quiet });
    await store.init();
    return {
      store,
      close: async () => {
        await store.close();
        await readModels.close();
        temp.remove();
      },
    };
  },
  { inlineProjections: false },
);
