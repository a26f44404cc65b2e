import { UsageError } from './args';
import { runExport } from './audit/export.command';
import { runReport } from './audit/report.command';
import { runSigningKey } from './audit/signing-key.command';
import { runVerify } from './audit/verify.command';

/** The auditors' commands: export, verify, report, and the checkpoint signing key. */
export const auditCommands = {
  names: ['export', 'verify', 'report'] as string[],
  usage: `  export --out FILE                       the whole log, its latest signed checkpoint and the public
                                          key, as one file an auditor checks offline (earmark-export/v1)
  verify [--checkpoint SAVED.json] [--public-key KEY.pem]
                                          check the configured store: hash chain, Merkle root and
                                          signature of its latest checkpoint, balances replayed
  verify --file FILE --public-key KEY.pem [--checkpoint SAVED.json]
                                          the same, offline, on an export: no store, no server
                                          (--checkpoint: one saved earlier, which the log must extend)
  report --program P --year Y --format md|csv|html|xlsx [--as-of YYYY-MM-DD] [--lang en|zh-CN] [--out FILE]
                                          per region: allocated, received, passed down, paid, persons,
                                          returned, available, settlement and flags, with totals
  keys signing --out FILE                 a new checkpoint signing key (Ed25519, written 0600);
                                          prints the public key and its keyId for the auditors
`,
  async run(command: string, argv: string[]): Promise<number> {
    switch (command) {
      case 'export':
        return runExport(argv);
      case 'verify':
        return runVerify(argv);
      case 'report':
        return runReport(argv);
      case 'keys': {
        const [sub, ...rest] = argv;
        if (sub !== 'signing') throw new UsageError('keys takes: add … or signing --out FILE');
        return runSigningKey(rest);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  },
};
