import { BooksAtViews } from '@earmark/application';
import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * The books as they stood (`?asOf=`, `?atPosition=`): one replay of the fund serves every call for
 * the same point, a key is refused before the fund is replayed for it, and a burst of calls for
 * many days answers each as a lone call would.
 */
describe('Past views of the books, kept between calls', () => {
  let app: TestApp;
  let views: BooksAtViews;
  const fund = `/v1/programs/${program}/years/${year}`;

  beforeAll(async () => {
    app = await startTestApp();
    views = app.app.get(BooksAtViews);
    const paid = await Promise.all([
      app.post('/v1/disbursements', payment('510100', '100.00', 'AOV-1', { paidOn: '2024-03-01' }), 'cd'),
      app.post('/v1/disbursements', payment('510100', '40.00', 'AOV-2', { paidOn: '2024-05-01' }), 'cd'),
    ]);
    expect(paid.map((answer) => answer.status)).toEqual([201, 201]);
  });
  afterAll(() => app.close());

  it('refuses a key that may not read the totals before replaying the fund for it', async () => {
    const before = views.viewsKept;
    const refused = await app.get(`${fund}?asOf=2024-04-01`, 'op-cd');
    expect([refused.status, refused.body.code]).toEqual([403, 'forbidden']);
    const unknown = await app.get(`/v1/programs/no-such-program/years/${year}?asOf=2024-04-01`, 'op-cd');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not-found']);
    expect(views.viewsKept).toBe(before);
  });

  it('serves the totals, the balances and a region of one day from one replay', async () => {
    const before = views.viewsKept;
    const totals = await app.get(`${fund}?asOf=2024-04-01`, 'op');
    const regions = await app.get(`${fund}/regions?asOf=2024-04-01`, 'op');
    const chengdu = await app.get(`${fund}/regions/510100?asOf=2024-04-01`, 'op-cd');
    expect([totals.status, regions.status, chengdu.status]).toEqual([200, 200, 200]);
    expect(views.viewsKept).toBe(before + 1);
    expect(totals.body.paid).toBe('100.00');
    expect(chengdu.body.paid).toBe('100.00');
    expect((regions.body as { regionCode: string; paid: string }[]).find((region) => region.regionCode === '510100')?.paid).toBe('100.00');

    // A payment back-dated into that day is in the view at the next call; a later one is not.
    const late = await app.post('/v1/disbursements', payment('510100', '7.00', 'AOV-3', { paidOn: '2024-03-15' }), 'cd');
    const later = await app.post('/v1/disbursements', payment('510100', '9.00', 'AOV-4', { paidOn: '2024-06-15' }), 'cd');
    expect([late.status, later.status]).toEqual([201, 201]);
    expect((await app.get(`${fund}/regions/510100?asOf=2024-04-01`, 'op-cd')).body.paid).toBe('107.00');
    expect((await app.get(`${fund}?asOf=2024-04-01`, 'op')).body.paid).toBe('107.00');
    expect(views.viewsKept).toBe(before + 1);
  });

  it('answers a burst of calls for many days each as a lone call answers it', async () => {
    const days = Array.from({ length: 12 }, (_, n) => `2024-${String(n + 1).padStart(2, '0')}-28`);
    const burst = await Promise.all(days.map((day) => app.get(`${fund}/regions/510100?asOf=${day}`, 'op-cd')));
    expect(burst.map((answer) => answer.status)).toEqual(days.map(() => 200));
    const paid = burst.map((answer) => answer.body.paid as string);
    expect(paid).toEqual([
      '0.00',
      '0.00',
      '107.00',
      '107.00',
      '147.00',
      '156.00',
      '156.00',
      '156.00',
      '156.00',
      '156.00',
      '156.00',
      '156.00',
    ]);
    expect(views.viewsKept).toBeLessThanOrEqual(8);
    for (const [index, day] of days.entries()) {
      expect((await app.get(`${fund}/regions/510100?asOf=${day}`, 'op-cd')).body.paid).toBe(paid[index]);
    }
  });
});

describe('A fund larger than the service folds in memory', () => {
  let app: TestApp;
  const fund = `/v1/programs/${program}/years/${year}`;
  beforeAll(async () => {
    app = await startTestApp({ env: { EARMARK_REPLAY_MAX_FUND_EVENTS: '22' } });
  });
  afterAll(() => app.close());

  it('answers its past views, flags and performance 503 unavailable, and everything else as before', async () => {
    // The seed's allocation and its 21 市(州)' targets are the fund's 22 events: within the bound.
    expect((await app.infrastructure.store.readStream(`fund-${program}-${year}`)).length).toBe(22);
    expect((await app.get(`${fund}/flags`, 'aud')).status).toBe(200);
    expect((await app.get(`${fund}/regions/510100?asOf=2024-06-30`, 'op')).status).toBe(200);
    const paid = await app.post('/v1/disbursements', payment('510100', '100.00', 'BIG-1'), 'cd');
    expect(paid.status).toBe(201);
    const detail = `fund-${program}-${year} holds 23 events, more than the 22 this service folds in memory for a view of one fund (EARMARK_REPLAY_MAX_FUND_EVENTS)`;
    for (const path of [`${fund}/flags`, `${fund}/performance`, `${fund}/regions/510100?asOf=2024-06-30`, `${fund}?atPosition=${paid.body.position}`]) {
      const answer = await app.get(path, 'aud');
      expect([path, answer.status, answer.contentType, answer.body.code, answer.body.detail]).toEqual([
        path,
        503,
        'application/problem+json; charset=utf-8',
        'unavailable',
        detail,
      ]);
    }
    // The live books and the commands go on.
    expect((await app.get(`${fund}/regions/510100`, 'op')).body.paid).toBe('100.00');
    expect((await app.post('/v1/disbursements', payment('510100', '1.00', 'BIG-2'), 'cd')).status).toBe(201);
  });
});
