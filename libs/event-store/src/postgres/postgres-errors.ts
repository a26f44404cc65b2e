import { DatabaseError } from 'pg';
import { ConcurrencyError, EventStoreUnavailableError, IdempotencyKeyTakenError } from '../event-store.port';

const uniqueViolation = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === uniqueViolation;
}

/** A connection string fit for an error message: the password, if any, is masked. */
export function describeConnection(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Several hosts (`h1:5433,h2:5434`) are no WHATWG URL; the password is masked all the same.
    const multiHost = /^(postgres(?:ql)?:\/\/)(?:([^:@/?#]*)(:[^@/?#]*)?@)?([^/?#]*,[^/?#]*)([^?#]*)(\?[^#]*)?$/i.exec(connectionString);
    if (!multiHost) return '(unparseable connection string)';
    const [, scheme, user, password, hosts, path, query] = multiHost;
    const userInfo = user === undefined ? '' : password === undefined ? `${user}@` : `${user}:***@`;
    return `${scheme}${userInfo}${hosts}${path}${(query ?? '').replace(/([?&]password=)[^&]*/i, '$1***')}`;
  }
}

// Duck-typed, not `instanceof Error`: socket errors are built by Node's own Error, which is another
// realm's class under test runners that sandbox modules.
function isFromDatabaseOrNetwork(error: unknown): boolean {
  if (error instanceof DatabaseError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ...
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed/i.test(message)
  );
}

/** The connection itself failed (as opposed to the server refusing a statement): do not reuse it. */
export function isConnectionLoss(error: unknown): boolean {
  return isFromDatabaseOrNetwork(error) && !(error instanceof DatabaseError);
}

/**
 * The port's errors pass through; what the database or the network refused becomes
 * EventStoreUnavailableError; anything else (a projection's own bug) is rethrown as it is.
 */
export function toStoreError(error: unknown, connectionString: string): unknown {
  if (
    error instanceof ConcurrencyError ||
    error instanceof IdempotencyKeyTakenError ||
    error instanceof EventStoreUnavailableError
  ) {
    return error;
  }
  if (isFromDatabaseOrNetwork(error)) {
    const reason = String((error as { message?: unknown }).message ?? error);
    return new EventStoreUnavailableError(`postgres at ${describeConnection(connectionString)}: ${reason}`, error);
  }
  return error;
}
