import { writeExport } from '@earmark/audit';
import { systemClock, uuidGenerator } from '@earmark/application';
import { findPublicKey, loadConfig, loadSigningKey, openInfrastructure, readLog } from '@earmark/runtime';
import { parseArgs, requiredOption, UsageError } from '../args';
import { checkpointActor, LedgerTree, readLatestCheckpoint, signAndRecordCheckpoint } from '@earmark/audit';

/**
 * `earmark export --out FILE`: the whole log, read page by page, with the latest checkpoint and
 * the public key that checks it (docs/export-format.md). A log never checkpointed gets its first
 * checkpoint now, recorded in the log as the service would, so that no export goes out unsigned.
 */
export async function runExport(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`export takes no word "${args.positional[0]}"`);
  const out = requiredOption(args, 'out');
  const config = loadConfig();
  const infrastructure = await openInfrastructure(config);
  try {
    const { store } = infrastructure;
    let latest = await readLatestCheckpoint(store);
    if (latest === null) {
      const signingKey = loadSigningKey(config);
      latest = await signAndRecordCheckpoint(
        store,
        new LedgerTree(store),
        { privateKeyPem: signingKey.privateKeyPem, actor: checkpointActor },
        systemClock.now().toISOString(),
        uuidGenerator.newId(),
      );
      process.stderr.write(`no checkpoint yet: signed one over ${latest.checkpoint.treeSize} events with key ${signingKey.keyId}\n`);
    }
    const { checkpoint } = latest;
    // Read after the checkpoint, so that the file always holds every event it signs.
    const head = await store.headPosition();
    const key = findPublicKey(config);
    const publicKeyPem = key !== null && key.keyId === checkpoint.keyId ? key.publicKeyPem : undefined;
    if (publicKeyPem === undefined) {
      process.stderr.write(`the checkpoint is signed with key ${checkpoint.keyId}, which is not the configured key: no public key in the file\n`);
    }
    const { events } = await writeExport(out, { events: readLog(store, head), eventCount: Number(head), checkpoint, publicKeyPem });
    process.stdout.write(
      `exported ${events} events to ${out}; the checkpoint signs the first ${checkpoint.treeSize} (key ${checkpoint.keyId}, issued ${checkpoint.issuedAt})\n`,
    );
    return 0;
  } finally {
    await infrastructure.close();
  }
}
