/** The API as the desk reads it: the bearer token from the session, problem+json errors, Link paging. */

export interface Money {
  readonly allocated: string;
  readonly received: string;
  readonly receivedFromReturns: string;
  readonly passedDown: string;
  readonly paid: string;
  readonly returned: string;
  readonly available: string;
  readonly beneficiaries: number;
}

export interface Settlement {
  readonly documentNo: string;
  readonly settledOn: string;
  readonly entitled: string;
  readonly preAllocated?: string;
  readonly returnedBefore?: string;
  readonly allocated?: string;
  readonly adjustment: string;
  readonly outstanding: string;
}

export interface RegionBalance extends Money {
  readonly regionCode: string;
  readonly regionName?: string;
  readonly status: 'open' | 'settled' | 'reconciled';
  readonly settlement: Settlement | null;
  readonly children: Money & { readonly regions: number };
}

export interface AllocationDocument {
  readonly documentNo: string;
  readonly kind: 'pre-allocation' | 'top-up';
  readonly title: string;
  readonly issuedOn: string;
  readonly issuerRegionCode: string;
  readonly lines: number;
  readonly total: string;
  readonly position: number;
}

/** GET …/documents/{documentNo}: the document with its lines. */
export interface AllocationDocumentDetail extends Omit<AllocationDocument, 'lines'> {
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  readonly lines: readonly { readonly regionCode: string; readonly regionName: string; readonly amount: string }[];
}

export interface ProgramYear {
  readonly programCode: string;
  readonly programName: string;
  readonly fiscalYear: number;
  readonly allocated: string;
  readonly passedDown: string;
  readonly paid: string;
  readonly beneficiaries: number;
  readonly returned: string;
  readonly available: string;
  readonly regions: number;
  readonly settledRegions: number;
  readonly incomeSubject: string;
  readonly expenditureSubject: string;
  readonly documents: readonly AllocationDocument[];
}

/**
 * A row of GET /v1/programs: the program-year's totals for a key covering its funding root, the
 * figures of the regions the key covers for any other key.
 */
export interface ProgramSummary {
  readonly programCode: string;
  readonly programName: string;
  readonly fiscalYear: number;
  readonly allocated: string;
  readonly paid: string;
  readonly beneficiaries: number;
  readonly available: string;
}

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly shortName: string;
  readonly level: 'province' | 'prefecture' | 'county';
  readonly parentCode: string | null;
  readonly directFromProvince: boolean;
}

export interface Flag {
  readonly id?: string;
  readonly rule: string;
  readonly regionCode: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly detail: string;
  readonly since: string;
  readonly threshold?: string;
  readonly evidence?: readonly number[];
  readonly state?: string;
  /** True for a flag whose cause is gone, listed until its handling is archived. */
  readonly resolved?: boolean;
}

/** The key the token belongs to (GET /v1/session). */
export interface SessionKey {
  readonly name: string;
  readonly role: 'finance' | 'operator' | 'auditor';
  readonly regions: readonly string[];
}

export interface PerformanceRow {
  readonly regionCode: string;
  readonly indicator: string;
  readonly target: string;
  readonly actual: string | null;
  readonly met: boolean | null;
}

export interface TrailEntry {
  readonly position: number;
  readonly recordedAt: string;
  readonly effectiveOn: string;
  readonly type: string;
  readonly amount: string;
  readonly availableAfter: string;
  readonly reference: string;
  readonly actor: string;
  readonly hash: string;
}

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly hashes: readonly string[];
}

export interface Checkpoint {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly keyId: string;
}

/** An answer other than 2xx, with the problem's stable code when the API gave one. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string) {
    super(detail);
    this.name = 'ApiError';
  }
}

const tokenKey = 'earmark.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(tokenKey),
  signIn: (token: string) => sessionStorage.setItem(tokenKey, token),
  signOut: () => sessionStorage.removeItem(tokenKey),
};

async function send(path: string, token: string | null = session.token(), init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
  if (response.ok) return response;
  let code = '';
  let detail = response.statusText;
  try {
    const problem = (await response.json()) as { code?: string; detail?: string };
    code = problem.code ?? '';
    detail = problem.detail ?? detail;
  } catch {
    // not problem+json: keep the status text
  }
  throw new ApiError(response.status, code, detail);
}

export async function getJson<T>(path: string, token?: string): Promise<T> {
  return (await send(path, token)).json() as Promise<T>;
}

/** A fresh Idempotency-Key: one per action the user takes, so that a retried request records it once. */
function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `desk-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** A command (POST with a JSON body and an Idempotency-Key); problem+json answers throw ApiError. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await send(path, session.token(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': newIdempotencyKey() },
    body: JSON.stringify(body),
  });
  return response.json() as Promise<T>;
}

/** The `rel="next"` target of a Link header, or null. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (match) return match[1];
  }
  return null;
}

export async function getPage<T>(path: string): Promise<{ items: T[]; next: string | null }> {
  const response = await send(path);
  return { items: (await response.json()) as T[], next: nextLink(response.headers.get('link')) };
}

/** The most items the desk gathers from a paged list (the flags): a bound on what one screen loads. */
export const maxGatheredItems = 20_000;

/** Every page of a paged list, following `rel="next"`, up to `maxGatheredItems` items. */
export async function getAllPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = path;
  while (next !== null && items.length < maxGatheredItems) {
    const page: { items: T[]; next: string | null } = await getPage<T>(next);
    items.push(...page.items);
    next = page.next;
  }
  return items.slice(0, maxGatheredItems);
}

export async function getBlob(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const response = await send(path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition) ?? /filename="([^"]+)"/.exec(disposition);
  return { blob: await response.blob(), filename: match ? decodeURIComponent(match[1]) : null };
}

/** `?asOf=…` (or nothing) to append to a balance path. */
export function asOfQuery(asOf: string, first = true): string {
  return asOf ? `${first ? '?' : '&'}asOf=${encodeURIComponent(asOf)}` : '';
}

export function fundPath(programCode: string, fiscalYear: number): string {
  return `/v1/programs/${encodeURIComponent(programCode)}/years/${fiscalYear}`;
}
