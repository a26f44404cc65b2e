import { Query, type PoolClient, type QueryConfig, type QueryResult } from 'pg';

/** What node-postgres's connection is asked to send; `_getRows` below receives it. */
interface ProtocolConnection {
  parse(query: { text: string; name?: string }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
}

/**
 * A prepared statement and then COMMIT, in one round trip: the statement's Bind and Execute, then
 * Parse, Bind and Execute of COMMIT, then a single Sync. The server runs them in order; should the
 * statement fail, it skips everything up to the Sync, so COMMIT never runs and the transaction is
 * left failed for the caller to roll back, as when COMMIT is sent after the statement's answer.
 *
 * node-postgres sends a prepared statement's Execute and Sync from `Query#_getRows`; this class
 * puts COMMIT between them. Should a later node-postgres no longer call it, no COMMIT would be
 * sent: `queryThenCommit` then says so, and the caller rolls back.
 */
class QueryThenCommit extends Query {
  // The statement's rows, if any, come in one piece: node-postgres passes `rows` only when asked for pages.
  _getRows(connection: ProtocolConnection): void {
    connection.execute({ portal: (this as unknown as { portal: string }).portal });
    connection.parse({ text: 'COMMIT' });
    connection.bind({});
    connection.execute({});
    connection.sync();
  }
}

/**
 * Runs `statement` (named, with parameters) inside the client's open transaction and commits it,
 * in one round trip. Resolves with what COMMIT was answered ('COMMIT', or 'ROLLBACK' for a
 * transaction that had failed unnoticed), null if no COMMIT was sent (the transaction is then still
 * open); rejects with the statement's error (the transaction failed and is still open) or COMMIT's.
 */
export async function queryThenCommit(client: PoolClient, statement: QueryConfig & { name: string }): Promise<string | null> {
  const results = await new Promise<QueryResult | QueryResult[]>((resolve, reject) => {
    const query = new QueryThenCommit(statement, (error: Error | undefined, result: unknown) =>
      error ? reject(error) : resolve(result as QueryResult | QueryResult[]),
    );
    client.query(query);
  });
  const answers = Array.isArray(results) ? results : [results];
  return answers.length === 2 ? answers[1].command : null;
}
