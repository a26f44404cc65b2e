import fc from 'fast-check';
import {
  passDown,
  passDownDocument,
  payment,
  preAllocation,
  program,
  returned,
  settlement,
  startTestApp,
  testKeys,
  year,
  type RawResult,
  type TestApp,
} from '../support/test-app';

/**
 * Generated hostile requests against the real application on a real port: bodies (valid shapes
 * with mutated fields, wrong types, huge numbers, negative money, deep nesting, duplicate keys,
 * control characters, unknown fields), headers, keys of every role and scope, paths and query
 * strings. Each answer is checked on its own: no 5xx, every error problem+json with a stable code,
 * and a 4xx records nothing but a refused attempt (403 and 422 of fund commands) and moves no
 * balance. HOSTILE_RUNS sets the number of requests (10,000 by default), HOSTILE_SEED replays a run.
 */
const runs = Number(process.env.HOSTILE_RUNS ?? 10_000);
const seed = process.env.HOSTILE_SEED === undefined ? undefined : Number(process.env.HOSTILE_SEED);
/** About 15 ms a request on PostgreSQL with the checks, with room for a slow machine. */
const timeoutMs = Math.max(300_000, runs * 60);
const maxBodyBytes = 1_048_576;

/** API.md's table, `method-not-allowed` (405) and README's `below-minimum-standard`. */
const stableCodes = new Set([
  'validation-failed', 'idempotency-key-missing', 'malformed-json', 'unsupported-media-type', 'unauthenticated', 'forbidden',
  'not-found', 'duplicate-document', 'duplicate-voucher', 'idempotency-key-reused', 'concurrency-conflict', 'payload-too-large',
  'total-mismatch', 'unknown-region', 'not-a-recipient', 'insufficient-funds', 'earmark-violation', 'not-a-child-region',
  'year-settled', 'not-settled', 'adjustment-exceeded', 'no-allocation', 'already-reversed', 'issuer-not-root',
  'date-out-of-range', 'invalid-transition', 'rate-limited', 'projection-lagging', 'method-not-allowed', 'below-minimum-standard',
]);
/** What a refused fund command leaves: an entry in the audit log of refused attempts, nothing else. */
const refusalStatuses = new Set([403, 422]);
const refusalStream = /^refusals-/;

type Json = ReturnType<typeof JSON.parse>;

/** One generated request, with what the input rules alone say its answer must be, when they do. */
interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  readonly expected?: { status: number; code: string; allow?: string; errorPath?: string };
}

// ---------------------------------------------------------------------------------------------
// Values

const regions = ['510000', '510100', '510104', '510105', '510300', '510400', '510411', '513400', '510181', '000000', '999999'];
const moneyStrings = ['1.00', '0.01', '0.00', '-1.00', '1.001', '1e5', '01.00', '99999999999999.99', '100000000000000.00', '1,000.00', ' 1.00', '１.00'];
const dateStrings = ['2024-03-01', '2024-02-30', '2023-12-31', '2025-03-31', '2099-12-31', '1999-01-01', '2024-3-1', '20240301', '2024-03-01T00:00:00Z'];
const nastyStrings = [
  '', ' ', '\u0000', 'a\u0007b', 'line\nbreak', '\u0085', '\u202eevil', '\u2066x\u2069', '\ud800', '<script>alert(1)</script>',
  "' OR 1=1 --", '../../etc/passwd', '%00', '${jndi:x}', 'x'.repeat(10_000), '川财社〔2024〕2号', 'NaN', 'null', 'true',
];

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, 1e-7, [], {}) },
  { weight: 3, arbitrary: fc.constantFrom(...moneyStrings, ...dateStrings, ...regions) },
  { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }).map((fen) => `${fen / 100n}.${String(fen < 0n ? -fen % 100n : fen % 100n).padStart(2, '0')}`) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

/** Keys no DTO declares, and the disbursement keys that belong to another kind. */
const unknownKeys = ['extra', 'id', 'position', 'actor', 'amountFen', 'hash', 'status', 'totalFen', 'available', 'role'];
const kindKeys = { 'beneficiary-payment': ['toRegionCode'], 'pass-down': ['expenditureSubject', 'beneficiaries'], return: ['toRegionCode', 'expenditureSubject', 'beneficiaries'] };

// ---------------------------------------------------------------------------------------------
// Bodies: a valid shape for each command, then mutated

let documentCounter = 0;
const nextNo = (prefix: string) => `${prefix}-${++documentCounter}`;

const bodyTemplates: Record<string, fc.Arbitrary<Record<string, Json>>> = {
  allocations: fc.record({ region: fc.constantFrom('510100', '510300', '510400'), issuer: fc.constantFrom('510000', '510000', '510100') }).map(({ region, issuer }) =>
    preAllocation(nextNo('HOSTILE-ALLOC'), issuer, [{ regionCode: region, amount: '1.00' }], '1.00'),
  ),
  disbursements: fc.record({
    kind: fc.constantFrom('beneficiary-payment', 'pass-down', 'return'),
    region: fc.constantFrom('510100', '510300', '510400', '510104'),
    amount: fc.constantFrom('1.00', '0.01', '300000.00'),
  }).map(({ kind, region, amount }) =>
    kind === 'beneficiary-payment'
      ? payment(region, amount, nextNo('HOSTILE-PAY'))
      : kind === 'pass-down'
        ? passDown(region, region === '510100' ? '510104' : '510411', amount, nextNo('HOSTILE-PASS'))
        : returned(region, amount, nextNo('HOSTILE-RET'), '2024-04-01'),
  ),
  reversal: fc.constantFrom('2024-03-05', '2024-01-01', '2025-06-30').map((reversedOn) => ({ reason: 'voucher cancelled by the treasury', reversedOn })),
  'pass-downs': fc.constantFrom('1.00', '0.50', '999999999.00').map((amount) =>
    passDownDocument('510100', nextNo('HOSTILE-DOC'), [{ regionCode: '510104', amount }, { regionCode: '510105', amount }], (Number(amount) * 2).toFixed(2)),
  ),
  settlements: fc.record({ region: fc.constantFrom('510100', '510300', '510400', '510104'), persons: fc.nat(5000) }).map(({ region, persons }) =>
    settlement(region, [{ category: 'dibao', persons, perPerson: '100.00' }], nextNo('HOSTILE-SETTLE')),
  ),
  'performance-actuals': fc.constantFrom('enrolment-rate', 'satisfaction', 'persons-covered').map((indicator) => ({
    programCode: program, fiscalYear: year, regionCode: '510100', indicator, value: '96.5', period: '2024', reportedOn: '2024-12-31',
  })),
};

/** Every place in a body a mutation can reach: its keys, and the keys of its first line or actual. */
function placesIn(body: Record<string, Json>): string[][] {
  const places: string[][] = Object.keys(body).map((key) => [key]);
  for (const list of ['lines', 'actuals']) {
    const first = Array.isArray(body[list]) ? body[list][0] : undefined;
    if (first && typeof first === 'object') places.push(...Object.keys(first).map((key) => [list, '0', key]));
  }
  return places;
}

/** Sets a key as an own property: `__proto__` included, which plain assignment would not create. */
function put(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

interface Mutation {
  readonly op: 'set' | 'delete' | 'add-unknown' | 'add-other-kind' | 'nest';
  readonly pick: number;
  readonly value: Json;
  readonly depth: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'add-unknown', 'add-other-kind', 'nest'),
  pick: fc.nat(),
  value: hostileValue,
  depth: fc.oneof(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 33, max: 3_000 })),
});

/** How deep objects and arrays nest in `value` (a body is 1), walked without recursion. */
function depthOf(value: Json): number {
  let deepest = 0;
  const pending: [Json, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (next === null || typeof next !== 'object') continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(next)) pending.push([child as Json, depth + 1]);
  }
  return deepest;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a key or a string in `value` is not Unicode text: JSON.stringify escapes it, the parser refuses it. */
function holdsLoneSurrogate(value: Json): boolean {
  const pending: Json[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string' && loneSurrogate.test(next)) return true;
    if (next === null || typeof next !== 'object') continue;
    for (const [key, child] of Object.entries(next)) {
      if (loneSurrogate.test(key)) return true;
      pending.push(child as Json);
    }
  }
  return false;
}

/** Applies the mutations; returns the unknown key added when that was the only change. */
function mutate(body: Record<string, Json>, mutations: readonly Mutation[]): { body: Record<string, Json>; unknownKey?: string; depth: number } {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, Json>;
  let unknownKey: string | undefined;
  for (const { op, pick, value, depth: nesting } of mutations) {
    const places = placesIn(copy);
    if (op === 'add-unknown' || op === 'add-other-kind') {
      const foreign = op === 'add-other-kind' ? kindKeys[copy.kind as keyof typeof kindKeys] : undefined;
      const keys = foreign ?? unknownKeys;
      const key = keys[pick % keys.length];
      // A well-formed value of the right type: the field is refused for where it is, not for what it holds.
      put(copy, key, key === 'toRegionCode' ? '510104' : key === 'beneficiaries' ? 1 : key === 'expenditureSubject' ? '2083001' : (value ?? 'x'));
      unknownKey = mutations.length === 1 ? key : undefined;
      continue;
    }
    if (places.length === 0) continue;
    const place = places[pick % places.length];
    let parent: Json = copy;
    for (const step of place.slice(0, -1)) parent = parent?.[step];
    if (parent === null || typeof parent !== 'object') continue;
    const last = place[place.length - 1];
    if (op === 'delete') delete parent[last];
    else if (op === 'set') put(parent, last, value);
    else {
      // Wrapping the mutation's value, not what is there: nesting never compounds past 3,000.
      let nested: Json = value;
      for (let level = 0; level < nesting; level++) nested = level % 2 === 0 ? [nested] : { v: nested };
      put(parent, last, nested);
    }
  }
  return { body: copy, unknownKey, depth: depthOf(copy) };
}

type Encoding = 'json' | 'duplicate-key' | 'escaped-duplicate-key' | 'truncated' | 'garbage' | 'bom' | 'invalid-utf8' | 'oversized' | 'none';

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<Encoding>('json') },
  { weight: 3, arbitrary: fc.constantFrom<Encoding>('duplicate-key', 'escaped-duplicate-key') },
  { weight: 3, arbitrary: fc.constantFrom<Encoding>('truncated', 'garbage', 'bom', 'invalid-utf8', 'none') },
  { weight: 1, arbitrary: fc.constant<Encoding>('oversized') },
);

/** The bytes sent, and whether the JSON rules alone refuse them (400 malformed-json). */
function encode(body: Record<string, Json>, how: Encoding, pick: number, garbage: string): { bytes?: string | Buffer; malformed: boolean } {
  const text = JSON.stringify(body);
  const keys = Object.keys(body);
  switch (how) {
    case 'json':
      return { bytes: text, malformed: false };
    case 'bom':
      return { bytes: `\ufeff${text}`, malformed: false };
    case 'duplicate-key':
    case 'escaped-duplicate-key': {
      if (keys.length === 0) return { bytes: text, malformed: false };
      const key = keys[pick % keys.length];
      const spelled = how === 'duplicate-key' ? JSON.stringify(key) : `"\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(key).slice(2)}`;
      return { bytes: `${text.slice(0, -1)},${spelled}:${JSON.stringify(body[key] ?? null)}}`, malformed: true };
    }
    case 'truncated':
      return { bytes: text.slice(0, pick % text.length), malformed: true };
    case 'garbage':
      return { bytes: garbage, malformed: isMalformed(garbage) };
    case 'invalid-utf8': {
      const at = pick % text.length;
      return { bytes: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from(text.slice(at))]), malformed: true };
    }
    case 'oversized':
      return { bytes: `${text.slice(0, -1)},"padding":"${'x'.repeat(maxBodyBytes)}"}`, malformed: false };
    case 'none':
      return { bytes: undefined, malformed: false };
  }
}

function isMalformed(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Headers, paths, queries

const contentTypes: [string | undefined, 'json' | 'other-charset' | 'other'][] = [
  ['application/json', 'json'],
  ['application/json; charset=utf-8', 'json'],
  ['application/json;charset="UTF-8"', 'json'],
  ['APPLICATION/JSON', 'json'],
  ['application/json; charset=latin1', 'other-charset'],
  ['application/json; charset=utf-16', 'other-charset'],
  ['text/plain', 'other'],
  ['application/xml', 'other'],
  ['application/x-www-form-urlencoded', 'other'],
  ['multipart/form-data; boundary=x', 'other'],
  ['application/vnd.api+json', 'other'],
  ['application/jsonx', 'other'],
  ['json', 'other'],
  [undefined, 'other'],
];
const contentType = fc.oneof(
  { weight: 16, arbitrary: fc.constant(contentTypes[0]) },
  { weight: 4, arbitrary: fc.constantFrom(...contentTypes.slice(1, 4)) },
  { weight: 4, arbitrary: fc.constantFrom(...contentTypes.slice(4)) },
);

/** Header values Node will send: tab, printable ASCII and Latin-1. */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 140 });
const idempotencyKeyPool = ['hostile-shared-1', 'hostile-shared-2', 'hostile-shared-3'];
const idempotencyKey = fc.oneof(
  { weight: 10, arbitrary: fc.uuid().map((id) => `hostile-${id}`) },
  { weight: 2, arbitrary: fc.constantFrom(...idempotencyKeyPool) },
  { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, '', 'a b', 'ä', 'k'.repeat(128), 'k'.repeat(129), '../x', 'key;drop') },
  { weight: 1, arbitrary: headerText },
);

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string | null>(null) },
  { weight: 2, arbitrary: fc.constantFrom('x', '0', '2023', '1999', '99999', '000000', '5101000', 'SC-PENSION', '%2e%2e', '%00', '%2F', 'a'.repeat(99)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encodeURIComponent) },
);
/** A segment the router matches as a parameter: for these the method alone decides 404 or 405. */
const routable = (value: string) => /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/.test(value);

const queryName = fc.constantFrom('asOf', 'atPosition', 'minPosition', 'position', 'treeSize', 'from', 'to', 'limit', 'after', 'format', 'x');
/** Never a position beyond the log for minPosition: that wait is the contract's 503 after 5 s (auth-and-validation). */
const queryValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '1e3', '00', 'abc', '2024-06-30', '2024-02-30', '99999999999999999999', 'null', '%00', '%ZZ'),
  fc.string({ unit: 'binary', maxLength: 12 }).map(encodeURIComponent),
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.array(fc.tuple(queryName, queryValue), { minLength: 1, maxLength: 3 }).map((pairs) => `?${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`) },
  { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?=', '?asOf', '?a=b=c', '?%', '?minPosition=1&minPosition=2') },
);

describe('Hostile input over HTTP', () => {
  let app: TestApp;
  let disbursementIds: string[] = [];
  beforeAll(async () => {
    // No checkpoint may be signed on a timer or a count mid-run: it would be a write no request made.
    app = await startTestApp({ env: { EARMARK_CHECKPOINT_EVERY: '1000000000', EARMARK_CHECKPOINT_SECONDS: '2147483' } });
    const paid = await app.post('/v1/disbursements', payment('510400', '100.00', 'HOSTILE-SETUP-1'), 'pzh');
    const passed = await app.post('/v1/disbursements', passDown('510100', '510104', '1000.00', 'HOSTILE-SETUP-2'), 'cd');
    const settled = await app.post('/v1/settlements', settlement('510300', [{ category: 'dibao', persons: 2000, perPerson: '100.00' }], 'HOSTILE-SETUP-3'), 'prov');
    expect([paid.status, passed.status, settled.status]).toEqual([201, 201, 201]);
    disbursementIds = [paid.body.disbursementId, passed.body.disbursementId];
  });
  afterAll(() => app.close());

  it(`answers ${runs} generated requests without a 5xx, with problem+json, recording nothing on a 4xx`, async () => {
    const tokenNames = Object.keys(testKeys);
    const financeNames = tokenNames.filter((name) => testKeys[name].role === 'finance');
    const readerNames = tokenNames.filter((name) => testKeys[name].role !== 'finance');
    const badAuthorization = ['', 'Bearer', 'Bearer ', 'Bearer unknown-token', 'Basic dXNlcjpwYXNz', `Bearer ${app.token('prov')} extra`, `Token ${app.token('prov')}`];
    const authorization = (preferred: string[]) =>
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...preferred).map((name): string | undefined => `Bearer ${app.token(name)}`) },
        { weight: 3, arbitrary: fc.constantFrom(...tokenNames).map((name): string | undefined => `Bearer ${app.token(name)}`) },
        { weight: 1, arbitrary: fc.constantFrom(`bearer ${app.token('prov')}`, `Bearer  ${app.token('op')}`) },
        { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, ...badAuthorization) },
      );

    const fund = (p: string | null, y: string | null) => `/v1/programs/${p ?? program}/years/${y ?? year}`;
    const getPaths = fc
      .record({ which: fc.nat(16), p: segment, y: segment, r: segment })
      .map(({ which, p, y, r }) => {
        const region = r ?? '510100';
        const paths = [
          '/v1/health', '/v1/regions', `/v1/regions/${region}`, '/v1/programs', fund(p, y), `${fund(p, y)}/regions`,
          `${fund(p, y)}/regions/${region}`, `${fund(p, y)}/regions/${region}/trail`, `${fund(p, y)}/flags`, `${fund(p, y)}/performance`,
          '/v1/audit/verify', '/v1/audit/checkpoints/latest', '/v1/audit/proofs/inclusion', '/v1/audit/proofs/consistency', '/docs/json',
          '/dashboard', `/v1/${region}`,
        ];
        const path = paths[which];
        return { path, known: which !== paths.length - 1 && [p, y, r].every((value) => value === null || routable(value)) };
      });

    const postTargets = ['allocations', 'disbursements', 'reversal', 'pass-downs', 'settlements', 'performance-actuals'] as const;
    const post = fc
      .record({
        target: fc.constantFrom(...postTargets),
        id: fc.oneof(fc.constantFrom(...disbursementIds), fc.uuid(), segment.map((value) => value ?? 'x')),
        mutations: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
        encoding,
        pick: fc.nat(),
        garbage: fc.string({ unit: 'binary', maxLength: 60 }),
        contentType,
        authorization: authorization(financeNames),
        idempotencyKey,
        query,
      })
      .chain((request) => bodyTemplates[request.target].map((template) => ({ ...request, template })))
      .map((r): HostileRequest => {
        const path = r.target === 'reversal' ? `/v1/disbursements/${r.id}/reversal` : `/v1/${r.target}`;
        const { body, unknownKey, depth } = mutate(r.template, r.mutations);
        const { bytes, malformed } = encode(body, r.encoding, r.pick, r.garbage);
        const headers: Record<string, string> = {};
        const [type, typeKind] = r.contentType;
        if (type !== undefined && bytes !== undefined) headers['content-type'] = type;
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        const size = bytes === undefined ? 0 : Buffer.byteLength(bytes);
        let expected: HostileRequest['expected'];
        // Zero bytes and no Content-Type is no body at all: nothing for the parser to refuse.
        const noBody = bytes === undefined || (size === 0 && type === undefined);
        if (!noBody && (r.target !== 'reversal' || routable(r.id))) {
          if (typeKind === 'other') expected = { status: 415, code: 'unsupported-media-type' };
          else if (size > maxBodyBytes) expected = { status: 413, code: 'payload-too-large' };
          else if (typeKind === 'other-charset') expected = { status: 415, code: 'unsupported-media-type' };
          else if (malformed || depth > 32 || (r.encoding !== 'garbage' && holdsLoneSurrogate(body))) expected = { status: 400, code: 'malformed-json' };
          else if (
            unknownKey &&
            (r.encoding === 'json' || r.encoding === 'bom') &&
            // Keys secure-json-parse refuses are malformed-json, not unknown fields.
            !/__proto__|prototype/.test(String(bytes)) &&
            /^[A-Za-z0-9._:-]{1,128}$/.test(headers['idempotency-key'] ?? '') &&
            financeNames.some((name) => headers.authorization === `Bearer ${app.token(name)}`)
          ) {
            // A POST takes no query parameter: one is refused, like the unknown field, before the body's check.
            const queried = [...new URLSearchParams(r.query.replace(/^\?/, '')).keys()].length > 0;
            expected = { status: 400, code: 'validation-failed', ...(queried ? {} : { errorPath: unknownKey }) };
          }
        }
        return { method: 'POST', path: `${path}${r.query}`, headers, body: bytes, expected };
      });

    const get = fc
      .record({ target: getPaths, query, authorization: authorization(readerNames), withBody: fc.boolean(), contentType })
      .map((r): HostileRequest => {
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.withBody && r.contentType[0] !== undefined) headers['content-type'] = r.contentType[0];
        return { method: 'GET', path: `${r.target.path}${r.query}`, headers, body: r.withBody ? '{"a":1,"a":2}' : undefined };
      });

    /** A known path asked with another method: 405 with its methods, whatever the body. */
    const wrongMethod = fc
      .record({
        method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD', 'POST', 'GET'),
        target: fc.oneof(
          fc.constantFrom(...postTargets.filter((t) => t !== 'reversal')).map((t) => ({ path: `/v1/${t}`, known: true, allow: 'POST' })),
          fc.constantFrom(...disbursementIds).map((id) => ({ path: `/v1/disbursements/${id}/reversal`, known: true, allow: 'POST' })),
          getPaths.map(({ path, known }) => ({ path, known, allow: 'GET, HEAD' })),
        ),
        body: fc.oneof(fc.constant<string | undefined>(undefined), fc.constantFrom('{}', 'not json', '{"a":1,"a":2}')),
        authorization: authorization(tokenNames),
      })
      .filter(({ method, target }) => !target.allow.split(', ').includes(method))
      .map((r): HostileRequest => {
        const headers: Record<string, string> = { 'idempotency-key': 'hostile-method' };
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.body !== undefined && r.method !== 'TRACE') headers['content-type'] = 'text/plain';
        return {
          method: r.method,
          path: r.target.path,
          headers,
          body: r.method === 'TRACE' ? undefined : r.body,
          expected: r.target.known ? { status: 405, code: 'method-not-allowed', allow: r.target.allow } : undefined,
        };
      });

    const hostileRequest = fc.oneof({ weight: 12, arbitrary: post }, { weight: 4, arbitrary: get }, { weight: 2, arbitrary: wrongMethod });

    // -------------------------------------------------------------------------------------------
    const store = app.infrastructure.store;
    const reader = { authorization: `Bearer ${app.token('op')}` };
    /** The program-year's totals and every region's balance, as an operator over all regions reads them. */
    const books = async () => {
      const totals = await app.raw('GET', fund(null, null), reader);
      const balances = await app.raw('GET', `${fund(null, null)}/regions`, reader);
      expect([totals.status, balances.status]).toEqual([200, 200]);
      return `${totals.text}\n${balances.text}`;
    };
    let booksBefore = await books();
    const tally = { cases: 0, fiveHundreds: 0, recordedBy4xx: 0, refusals: 0, expected: 0, byStatus: new Map<number, number>() };

    const describeRequest = (request: HostileRequest, answer: RawResult) => {
      const body = request.body === undefined ? '' : Buffer.from(request.body).toString('utf8').slice(0, 300);
      return `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)} ${JSON.stringify(body)}\n→ ${answer.status} ${JSON.stringify(answer.headers)} ${answer.text.slice(0, 500)}`;
    };
    const check = (condition: boolean, what: string, request: HostileRequest, answer: RawResult) => {
      if (!condition) throw new Error(`${what}\n${describeRequest(request, answer)}`);
    };

    const property = fc.asyncProperty(hostileRequest, async (request) => {
      const head = await store.headPosition();
      const answer = await app.raw(request.method, request.path, request.headers, request.body);
      tally.cases++;
      tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) tally.fiveHundreds++;
      check(answer.status < 500, 'a 5xx', request, answer);

      if (answer.status >= 400) {
        check(String(answer.headers['content-type']).startsWith('application/problem+json'), 'an error that is not problem+json', request, answer);
        if (request.method !== 'HEAD') {
          const problem = JSON.parse(answer.text) as { type: unknown; title: unknown; status: unknown; detail: unknown; code: string };
          check(stableCodes.has(problem.code), `code ${problem.code} is not in the table`, request, answer);
          check(problem.status === answer.status && problem.type === `https://earmark.dev/problems/${problem.code}`, 'a problem whose status or type disagrees', request, answer);
          check(typeof problem.title === 'string' && typeof problem.detail === 'string', 'a problem without title or detail', request, answer);
          check(!/\n\s+at |node_modules|\.[jt]s:\d+/.test(answer.text), 'a stack trace in the answer', request, answer);
        }
        if (answer.status === 405) check(typeof answer.headers.allow === 'string' && answer.headers.allow.length > 0, 'a 405 without Allow', request, answer);
      }
      if (request.expected) {
        tally.expected++;
        const { status, code, allow, errorPath } = request.expected;
        check(answer.status === status, `expected ${status} ${code}`, request, answer);
        if (request.method !== 'HEAD') check(JSON.parse(answer.text).code === code, `expected ${code}`, request, answer);
        if (allow !== undefined) check(answer.headers.allow === allow, `expected Allow: ${allow}`, request, answer);
        if (errorPath !== undefined) {
          const errors = (JSON.parse(answer.text).errors ?? []) as { path: string }[];
          check(errors.some((error) => error.path === errorPath), `expected an error naming ${errorPath}`, request, answer);
        }
      }

      const appended = await store.readAll({ afterPosition: head, maxCount: 100 });
      if (answer.status < 400) {
        booksBefore = await books();
        return;
      }
      const allowedStreams = refusalStatuses.has(answer.status) ? refusalStream : null;
      const unexpected = appended.filter((event) => allowedStreams === null || !allowedStreams.test(event.streamName));
      if (unexpected.length > 0) tally.recordedBy4xx++;
      check(unexpected.length === 0, `a ${answer.status} recorded ${unexpected.map((e) => `${e.type} in ${e.streamName}`).join(', ')}`, request, answer);
      tally.refusals += appended.length;
      const booksAfter = await books();
      check(booksAfter === booksBefore, 'a 4xx changed the totals or a balance', request, answer);
    });

    const started = Date.now();
    await fc.assert(property, { numRuns: runs, ...(seed === undefined ? {} : { seed }) });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // The log the run left is still a valid ledger: hash chain and every invariant replayed.
    const verified = await app.raw('GET', '/v1/audit/verify', { authorization: `Bearer ${app.token('aud')}` });
    expect([verified.status, JSON.parse(verified.text).ok]).toEqual([200, true]);

    const statuses = [...tally.byStatus.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`).join(' ');
    process.stdout.write(
      `hostile input on ${app.infrastructure.store.kind}: ${tally.cases} requests in ${seconds} s, 5xx ${tally.fiveHundreds}, ` +
        `recorded by a 4xx ${tally.recordedBy4xx}, refused attempts logged ${tally.refusals}, answers fixed by the input rules ${tally.expected}; ` +
        `by status ${statuses}\n`,
    );
  }, timeoutMs);
});
