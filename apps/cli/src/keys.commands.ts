import { existsSync } from 'node:fs';
import { isCalendarDate } from '@earmark/domain';
import { addKey, isKeyActive, loadConfig, loadRegistry, readKeysFile, revokeKey, roles, rotateKey, type Role } from '@earmark/runtime';
import { option, parseArgs, requiredOption, UsageError } from './args';

/** The operators' key commands. A running service picks every change up within a second. */
export const keysCommands = {
  usage: `  keys add --name N --role finance|operator|auditor --regions 510100,510300|* [--expires YYYY-MM-DD]
                                          add an API key; prints its token once
  keys list                               name, role, regions, expiry and state of every key (no tokens)
  keys rotate NAME                        a new token for the key; the old one stops working; prints it once
  keys revoke NAME                        the key's token stops working for good
`,
  async run(sub: string | undefined, argv: string[]): Promise<number> {
    switch (sub) {
      case 'add':
        return runAdd(argv);
      case 'list':
        return runList(argv);
      case 'rotate':
        return runRotate(argv);
      case 'revoke':
        return runRevoke(argv);
      default:
        throw new UsageError('keys takes: add, list, rotate NAME, revoke NAME, or signing --out FILE');
    }
  },
};

function keysFilePath(): string {
  const config = loadConfig();
  return config.keysFile ?? `${config.dataDir}/keys.json`;
}

function runAdd(argv: string[]): number {
  const args = parseArgs(argv);
  if (args.positional.length > 0) throw new UsageError(`keys add takes no word "${args.positional[0]}"`);
  const role = requiredOption(args, 'role') as Role;
  if (!roles.includes(role)) throw new UsageError('--role must be finance, operator or auditor');
  const regions = requiredOption(args, 'regions').split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length === 0 || regions.some((r) => r !== '*' && !/^[0-9]{6}$/.test(r))) {
    throw new UsageError('--regions takes 6-digit codes separated by commas, or *');
  }
  const expiresOn = option(args, 'expires');
  if (expiresOn !== undefined && !isCalendarDate(expiresOn)) throw new UsageError('--expires takes a date written YYYY-MM-DD');
  const name = requiredOption(args, 'name');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError('--name takes 1 to 64 of A-Z a-z 0-9 . _ -');
  const config = loadConfig();
  const path = config.keysFile ?? `${config.dataDir}/keys.json`;
  const token = addKey(path, name, role, regions, loadRegistry(config), expiresOn);
  process.stdout.write(`${token}\n`);
  process.stderr.write(`added to ${path}; the token is shown once and stored only as its SHA-256\n`);
  return 0;
}

function runList(argv: string[]): number {
  const args = parseArgs(argv);
  if (args.positional.length > 0 || args.options.size > 0) throw new UsageError('keys list takes nothing more');
  const path = keysFilePath();
  const keys = existsSync(path) ? readKeysFile(path) : [];
  const now = new Date();
  const rows = [['name', 'role', 'regions', 'expires', 'state']];
  for (const key of keys) {
    const state = key.revokedAt !== undefined ? `revoked ${key.revokedAt}` : isKeyActive(key, now) ? 'active' : 'expired';
    rows.push([key.name, key.role, key.regions.join(','), key.expiresOn ?? '-', state]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ')}\n`);
  process.stderr.write(`${keys.length} keys in ${path}\n`);
  return 0;
}

function oneName(argv: string[], command: string): string {
  const args = parseArgs(argv);
  if (args.positional.length !== 1 || args.options.size > 0) throw new UsageError(`keys ${command} takes one key name`);
  return args.positional[0];
}

function runRotate(argv: string[]): number {
  const name = oneName(argv, 'rotate');
  const path = keysFilePath();
  const token = rotateKey(path, name);
  process.stdout.write(`${token}\n`);
  process.stderr.write(`key ${name} in ${path} has a new token, shown once; the old token no longer works\n`);
  return 0;
}

function runRevoke(argv: string[]): number {
  const name = oneName(argv, 'revoke');
  const path = keysFilePath();
  revokeKey(path, name, new Date());
  process.stderr.write(`key ${name} in ${path} is revoked; its token no longer works\n`);
  return 0;
}
