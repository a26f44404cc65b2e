import { existsSync } from 'node:fs';
import { generateSigningKey } from '@earmark/audit';
import { writeSigningKeyFile } from '@earmark/runtime';
import { parseArgs, requiredOption, UsageError } from '../args';

/** `earmark keys signing --out FILE`: a new Ed25519 checkpoint key; the public half goes to stdout. */
export function runSigningKey(argv: string[]): number {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`keys signing takes no word "${args.positional[0]}"`);
  const out = requiredOption(args, 'out');
  // Overwriting a key would orphan every checkpoint it signed.
  if (existsSync(out)) {
    process.stderr.write(`earmark: ${out} already exists; a signing key is never overwritten\n`);
    return 1;
  }
  const key = generateSigningKey();
  writeSigningKeyFile(out, key.privateKeyPem);
  process.stdout.write(`${key.publicKeyPem.trimEnd()}\nkeyId ${key.keyId}\n`);
  process.stderr.write(
    `private key written to ${out} (mode 0600): point EARMARK_SIGNING_KEY_FILE at it; give the public key above to the auditors\n`,
  );
  return 0;
}
