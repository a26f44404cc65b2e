import { fundStreamName, refusalStreamName } from '@earmark/domain';
import { ConcurrencyError, type AppendRequest, type AppendResult, type EventStore } from '@earmark/event-store';
import type { SqliteEventStore } from '@earmark/event-store/sqlite';
import { FundCommandRunner, maxCommandAttempts, type CommandOutcome } from '../src/command-runner';
import { RecordDisbursementCommand, RecordDisbursementHandler } from '../src/commands/record-disbursement.handler';
import { defaultLedgerSettings } from '../src/ports';
import { ApplicationError } from '../src/problem';
import { clock, countingIds, finance, fiscalYear, keyed, freshStoreEachTest, payment, programCode, registry, runnerOver } from './support/ledger-over-sqlite';

/**
 * The command runner over a real SQLite file: its idempotency gate, its decide-and-append loop
 * with the bounded retry, and its refusal log, through the handlers HTTP and the CLI use.
 */
describe('the command runner', () => {
  let store: SqliteEventStore;
  freshStoreEachTest((opened) => (store = opened));

  const typesIn = async (streamName: string) => (await store.readStream(streamName)).map((event) => event.type);

  it('records a command and answers with what it recorded and where', async () => {
    const ledger = runnerOver(store, 'a');
    expect(await ledger.allocate()).toEqual({ kind: 'recorded', body: { documentNo: '川财社〔2024〕2号', lines: 2, position: 2, total: '15000.00' } });
    expect(await ledger.pay('d1', '250000')).toEqual({ kind: 'recorded', body: { available: '7500.00', disbursementId: 'd1', position: 4 } });
  });

  it('decides again on the newer state when another process appended to the fund meanwhile', async () => {
    const first = runnerOver(store, 'a');
    const second = runnerOver(store, 'b');
    await first.allocate();
    await first.pay('d1', '100000');
    await second.pay('d2', '200000');
    // The first runner still holds the fund at d1: its append loses the race, then it reloads.
    expect(await first.pay('d3', '300000')).toEqual({ kind: 'recorded', body: { available: '4000.00', disbursementId: 'd3', position: 8 } });
    const paid = (await store.readStream(fundStreamName(programCode, fiscalYear))).map((event) => event.data['disbursementId'] ?? null);
    expect(paid).toEqual([null, 'd1', 'd2', 'd3']);
  });

  it(`gives up with concurrency-conflict after ${maxCommandAttempts} lost races`, async () => {
    await runnerOver(store, 'a').allocate();
    const losing = new AlwaysConflictingStoreDouble(store);
    const error = await runnerOver(losing, 'b').pay('d1', '100000').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).code).toBe('concurrency-conflict');
    expect(losing.attempts).toBe(maxCommandAttempts);
    expect(await typesIn(fundStreamName(programCode, fiscalYear))).toEqual(['AllocationRecorded']);
  });

  it('answers a repeated key with the first answer and records nothing more, in this process or another', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    const first = await ledger.pay('d1', '100000', keyed('k-1', 'hash-1'));
    expect(first).toEqual({ kind: 'recorded', body: { available: '9000.00', disbursementId: 'd1', position: 4 } });
    expect(await ledger.pay('d1', '100000', keyed('k-1', 'hash-1'))).toEqual(first);
    expect(await runnerOver(store, 'b').pay('d1', '100000', keyed('k-1', 'hash-1'))).toEqual(first);
    expect(await typesIn(fundStreamName(programCode, fiscalYear))).toEqual(['AllocationRecorded', 'DisbursementRecorded']);
  });

  it('decides requests with one key that arrive together once', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    const answers = await Promise.all([1, 2, 3].map(() => ledger.pay('d1', '100000', keyed('k-1', 'hash-1'))));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0].kind).toBe('recorded');
    expect(await typesIn(fundStreamName(programCode, fiscalYear))).toEqual(['AllocationRecorded', 'DisbursementRecorded']);
  });

  it('refuses a key used again with another request, stored or still under way', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    const underway = ledger.pay('d1', '100000', keyed('k-1', 'hash-1'));
    const meanwhile = await ledger.pay('d2', '100000', keyed('k-1', 'hash-2')).catch((caught: unknown) => caught);
    await underway;
    const afterwards = await ledger.pay('d2', '100000', keyed('k-1', 'hash-2')).catch((caught: unknown) => caught);
    for (const error of [meanwhile, afterwards]) {
      expect(error).toBeInstanceOf(ApplicationError);
      expect((error as ApplicationError).code).toBe('idempotency-key-reused');
    }
    expect(await typesIn(fundStreamName(programCode, fiscalYear))).toEqual(['AllocationRecorded', 'DisbursementRecorded']);
  });

  it('logs a rule’s refusal once, with who sent it, and answers its key with the same refusal', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    const refusal: CommandOutcome = await ledger.pay('d1', '1000001', keyed('k-1', 'hash-1'));
    expect(refusal).toEqual({ kind: 'refused', code: 'insufficient-funds', detail: 'available 10000.00 元' });
    expect(await ledger.pay('d1', '1000001', keyed('k-1', 'hash-1'))).toEqual(refusal);
    expect(await runnerOver(store, 'b').pay('d1', '1000001', keyed('k-1', 'hash-1'))).toEqual(refusal);
    const logged = await store.readStream(refusalStreamName(programCode, fiscalYear));
    expect(logged.map((event) => [event.type, event.data['code'], event.data['actor'], event.data['regionCode']])).toEqual([
      ['CommandRefused', 'insufficient-funds', 'finance-sichuan', '510100'],
    ]);
    expect(await typesIn(fundStreamName(programCode, fiscalYear))).toEqual(['AllocationRecorded']);
  });

  it('logs a key out of scope as a forbidden refusal', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    const zigong = { actor: { name: 'finance-zigong', role: 'finance' as const, regions: ['510300'] } };
    expect(await ledger.pay('d1', '100000', zigong)).toMatchObject({ kind: 'refused', code: 'forbidden' });
    expect((await store.readStream(refusalStreamName(programCode, fiscalYear))).map((event) => event.data['code'])).toEqual(['forbidden']);
  });

  it('refuses a voucher used twice without a log entry: nothing was attempted on the fund', async () => {
    const ledger = runnerOver(store, 'a');
    await ledger.allocate();
    await ledger.pay('d1', '100000');
    const again = await new RecordDisbursementHandler(new FundCommandRunner(store, registry, clock, countingIds('c'), defaultLedgerSettings)).execute(
      new RecordDisbursementCommand({ actor: finance }, { ...payment('d2', '100000'), voucherNo: 'V-d1' }),
    );
    expect(again).toMatchObject({ kind: 'refused', code: 'duplicate-voucher' });
    expect(await typesIn(refusalStreamName(programCode, fiscalYear))).toEqual([]);
  });
});

/**
 * Test double: the real store, except that every append to a fund's stream reports a lost race,
 * as if another process always appended first. Counts the attempts.
 */
class AlwaysConflictingStoreDouble implements EventStore {
  attempts = 0;
  readonly kind;
  constructor(private readonly real: EventStore) {
    this.kind = real.kind;
  }
  init = () => this.real.init();
  append(request: AppendRequest): Promise<AppendResult> {
    const fund = request.streams.find((stream) => stream.streamName.startsWith('fund-'));
    if (!fund) return this.real.append(request);
    this.attempts += 1;
    return Promise.reject(new ConcurrencyError(fund.streamName, fund.expectedVersion, 99n));
  }
  readStream: EventStore['readStream'] = (name, options) => this.real.readStream(name, options);
  readAll: EventStore['readAll'] = (options) => this.real.readAll(options);
  readHashes: EventStore['readHashes'] = (options) => this.real.readHashes(options);
  subscribe: EventStore['subscribe'] = (options) => this.real.subscribe(options);
  headPosition: EventStore['headPosition'] = () => this.real.headPosition();
  findIdempotency: EventStore['findIdempotency'] = (scope, key) => this.real.findIdempotency(scope, key);
  close = () => this.real.close();
}
