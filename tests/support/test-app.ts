import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { createEarmarkApp } from '../../apps/api/src/create-app';
import { createTestDatabase } from '../../libs/event-store/test/support/postgres-test-db';
import {
  ApiKeyRing,
  defaultProgramCode,
  hashToken,
  importNotice,
  loadConfig,
  openInfrastructure,
  type ApiKey,
  type Infrastructure,
  type StoreChoice,
} from '@earmark/runtime';

export const program = 'sc-pension-contribution-subsidy';
export const year = 2024;
export const seedPath = join(__dirname, '..', '..', 'seeds', 'sichuan-2024-pension-contribution-preallocation.txt');

/** Known test keys: name → role and regions. */
export const testKeys: Record<string, { role: ApiKey['role']; regions: string[] }> = {
  prov: { role: 'finance', regions: ['510000'] },
  cd: { role: 'finance', regions: ['510100'] },
  zg: { role: 'finance', regions: ['510300'] },
  pzh: { role: 'finance', regions: ['510400'] },
  op: { role: 'operator', regions: ['*'] },
  aud: { role: 'auditor', regions: ['*'] },
  // Readers scoped to one region's funding tree.
  'op-cd': { role: 'operator', regions: ['510100'] },
  'op-zg': { role: 'operator', regions: ['510300'] },
  'aud-cd': { role: 'auditor', regions: ['510100'] },
  'aud-prov': { role: 'auditor', regions: ['510000'] },
};

export interface CallResult {
  status: number;
  body: any;
  contentType: string;
}

/** An answer as it came off the wire: headers and the body's text. */
export interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface TestApp {
  readonly baseUrl: string;
  readonly app: NestFastifyApplication;
  readonly infrastructure: Infrastructure;
  readonly dataDir: string;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; token?: string | null; key?: string | null; contentType?: string },
  ): Promise<CallResult>;
  post(path: string, body: unknown, token: string, key?: string): Promise<CallResult>;
  get(path: string, token?: string): Promise<CallResult>;
  region(code: string, query?: string): Promise<CallResult>;
  /** The bearer token of a test key (see `testKeys`). */
  token(name: string): string;
  /**
   * One request exactly as given: any method (a GET with a body included), any headers, the body as
   * raw bytes. `fetch` normalises too much for hostile input.
   */
  raw(method: string, path: string, headers?: Record<string, string>, body?: string | Buffer): Promise<RawResult>;
  close(): Promise<void>;
}

export function newKey(): string {
  return `test-${randomBytes(8).toString('hex')}`;
}

export interface TestAppOptions {
  store?: StoreChoice;
  databaseUrl?: string;
  seed?: boolean;
  /** Further configuration, as the service reads it from its environment. */
  env?: Record<string, string>;
  /** Receives the one log line per request; none are written unless given. */
  requestLog?: (text: string) => void;
}

/** The store the HTTP suite runs on: SQLite, or PostgreSQL in the `e2e-postgres` Jest project. */
export const testStore: StoreChoice = (process.env.EARMARK_TEST_STORE as StoreChoice | undefined) ?? 'sqlite';

/**
 * Starts the real application on a free port over a fresh store (a new SQLite file, or a
 * throwaway PostgreSQL database), with the seed notice loaded.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earmark-e2e-'));
  const store = options.store ?? testStore;
  const database = store === 'postgres' && !options.databaseUrl ? await createTestDatabase() : null;
  const databaseUrl = options.databaseUrl ?? database?.url;
  const tokens = Object.fromEntries(Object.keys(testKeys).map((name) => [name, `tok-${name}-${randomBytes(12).toString('hex')}`]));
  const ring = new ApiKeyRing(
    Object.entries(testKeys).map(([name, { role, regions }]) => ({ name, role, regions, tokenSha256: hashToken(tokens[name]) })),
  );
  const config = loadConfig({
    EARMARK_DATA_DIR: dataDir,
    EARMARK_STORE: store,
    ...(databaseUrl ? { EARMARK_DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const infrastructure = await openInfrastructure(config);
  const app = await createEarmarkApp(infrastructure, ring, { logger: false, requestLog: options.requestLog ?? null });
  if (options.seed ?? true) {
    await importNotice(app.get(CommandBus), infrastructure.registry, readFileSync(seedPath, 'utf8'), {
      programCode: defaultProgramCode,
      dryRun: false,
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const call: TestApp['call'] = async (method, path, { body, raw, token = 'op', key, contentType = 'application/json' } = {}) => {
    const headers: Record<string, string> = {};
    if (body !== undefined || raw !== undefined) headers['content-type'] = contentType;
    if (token) headers['authorization'] = `Bearer ${tokens[token] ?? token}`;
    if (key) headers['idempotency-key'] = key;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, contentType: response.headers.get('content-type') ?? '' };
  };

  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const raw: TestApp['raw'] = (method, path, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const request = httpRequest(
        { agent, host: '127.0.0.1', port: address.port, method, path, headers: body === undefined ? headers : { 'content-length': Buffer.byteLength(body), ...headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  return {
    baseUrl,
    app,
    infrastructure,
    dataDir,
    call,
    raw,
    token: (name) => tokens[name] ?? name,
    post: (path, body, token, key = newKey()) => call('POST', path, { body, token, key }),
    get: (path, token = 'op') => call('GET', path, { token }),
    region: (code, query = '') => call('GET', `/v1/programs/${program}/years/${year}/regions/${code}${query}`),
    async close() {
      agent.destroy();
      await app.close();
      await infrastructure.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function payment(region: string, amount: string, voucherNo: string, extra: Record<string, unknown> = {}) {
  return {
    programCode: program,
    fiscalYear: year,
    regionCode: region,
    kind: 'beneficiary-payment',
    amount,
    paidOn: '2024-03-01',
    voucherNo,
    expenditureSubject: '2083001',
    beneficiaries: 10,
    ...extra,
  };
}

export function passDown(from: string, to: string, amount: string, voucherNo: string) {
  return { programCode: program, fiscalYear: year, regionCode: from, kind: 'pass-down', amount, paidOn: '2024-02-01', voucherNo, toRegionCode: to };
}

export function settlement(region: string, actuals: { category: string; persons: number; perPerson: string }[], documentNo = '川财社〔2025〕9号') {
  return { programCode: program, fiscalYear: year, regionCode: region, documentNo, settledOn: '2025-03-31', actuals };
}

export function topUp(documentNo: string, lines: { regionCode: string; amount: string }[], total: string) {
  return {
    documentNo,
    title: '关于补拨2024年困难群体养老保险个人缴费省级财政代缴资金的通知',
    kind: 'top-up',
    programCode: program,
    programName: '困难群体养老保险个人缴费省级财政代缴资金',
    fiscalYear: year,
    issuedOn: '2025-04-15',
    issuerRegionCode: '510000',
    incomeSubject: '1100299',
    expenditureSubject: '2083001',
    total,
    lines,
  };
}

export function returned(region: string, amount: string, voucherNo: string, paidOn: string) {
  return { programCode: program, fiscalYear: year, regionCode: region, kind: 'return', amount, paidOn, voucherNo };
}

/** A 市's 下达 document (POST /v1/pass-downs). */
export function passDownDocument(
  from: string,
  documentNo: string,
  lines: { regionCode: string; amount: string }[],
  total: string,
  passedOn = '2024-02-01',
) {
  return { programCode: program, fiscalYear: year, regionCode: from, documentNo, passedOn, total, lines };
}

/** A pre-allocation document as the province records it; the tests vary the issuer and lines. */
export function preAllocation(documentNo: string, issuerRegionCode: string, lines: { regionCode: string; amount: string }[], total: string) {
  return {
    ...topUp(documentNo, lines, total),
    title: '关于预拨2024年困难群体养老保险个人缴费资金的通知',
    kind: 'pre-allocation',
    issuedOn: '2024-02-01',
    issuerRegionCode,
  };
}
