import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/** API v2: the trail is paged (`limit`, `after`) and says where the next page starts (`Link: rel="next"`). */
describe('A region trail in pages', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    for (let n = 1; n <= 5; n += 1) {
      const paid = await app.post('/v1/disbursements', payment('510400', '10.00', `TP-${n}`, { beneficiaries: 1 }), 'pzh');
      expect(paid.status).toBe(201);
    }
  });
  afterAll(() => app.close());

  const trailPath = `/v1/programs/${program}/years/${year}/regions/510400/trail`;
  const page = async (query: string) => {
    const answer = await app.raw('GET', `${trailPath}${query}`, { authorization: `Bearer ${app.token('op')}` });
    return { status: answer.status, link: answer.headers['link'], body: JSON.parse(answer.text) };
  };

  it('walks the whole trail by its Link headers, two entries a page, and ends without one', async () => {
    const whole = await page('');
    expect(whole.status).toBe(200);
    expect(whole.link).toBeUndefined();
    expect(whole.body.map((entry: { type: string }) => entry.type)).toEqual([
      'pre-allocation',
      'beneficiary-payment',
      'beneficiary-payment',
      'beneficiary-payment',
      'beneficiary-payment',
      'beneficiary-payment',
    ]);

    const seen: number[] = [];
    const pageSizes: number[] = [];
    let query = '?limit=2';
    for (;;) {
      const next = await page(query);
      expect(next.status).toBe(200);
      seen.push(...next.body.map((entry: { position: number }) => entry.position));
      pageSizes.push(next.body.length);
      if (next.link === undefined) break;
      const match = /^<([^>]+)>; rel="next"$/.exec(String(next.link));
      expect(match?.[1]).toBe(`${trailPath}?limit=2&after=${next.body[next.body.length - 1].position}`);
      query = match![1]!.slice(trailPath.length);
    }
    expect(pageSizes).toEqual([2, 2, 2]);
    expect(seen).toEqual(whole.body.map((entry: { position: number }) => entry.position));
  });

  it('starts after the position given', async () => {
    const whole = await page('');
    const third = whole.body[2].position;
    const rest = await page(`?after=${third}`);
    expect(rest.body.map((entry: { position: number }) => entry.position)).toEqual(
      whole.body.slice(3).map((entry: { position: number }) => entry.position),
    );
  });

  it.each(['?limit=0', '?limit=10001', '?limit=two', '?after=-1'])('refuses %s with 400 validation-failed', async (query) => {
    const refused = await page(query);
    expect([refused.status, refused.body.code]).toEqual([400, 'validation-failed']);
  });
});
