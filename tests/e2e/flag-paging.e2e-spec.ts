import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * The flags list is bounded: `limit` and `after` (a flag id) page it, `Link: rel="next"` names the
 * next page, `rule`, `severity` and `region` narrow it, and every flag carries its stable id.
 */
describe('The flags list in pages', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    // A refusal (warning) and a payment off the standard: two more rules beside the 21 late cities.
    expect((await app.post('/v1/disbursements', payment('510400', '99999999.00', 'PG-1'), 'pzh')).status).toBe(422);
    expect((await app.post('/v1/disbursements', payment('510400', '100.00', 'PG-2'), 'pzh')).status).toBe(201);
  });
  afterAll(() => app.close());

  const flagsPath = `/v1/programs/${program}/years/${year}/flags`;
  const page = async (query: string, token = 'aud') => {
    const answer = await app.raw('GET', `${flagsPath}${query}`, { authorization: `Bearer ${app.token(token)}` });
    return { status: answer.status, link: answer.headers['link'], body: JSON.parse(answer.text) };
  };
  const ids = (body: { id: string }[]) => body.map((flag) => flag.id);

  it('walks the whole list by its Link headers, 25 flags a page, and ends without one', async () => {
    const whole = await page('?asOf=2024-12-31&limit=1000');
    expect(whole.status).toBe(200);
    expect(whole.link).toBeUndefined();
    expect(whole.body.length).toBeGreaterThan(100);
    expect(new Set(ids(whole.body)).size).toBe(whole.body.length);

    const seen: string[] = [];
    let query = '?asOf=2024-12-31&limit=25';
    for (;;) {
      const next = await page(query);
      expect(next.status).toBe(200);
      seen.push(...ids(next.body));
      if (next.link === undefined) break;
      const match = /^<([^>]+)>; rel="next"$/.exec(String(next.link));
      const last = next.body[next.body.length - 1].id;
      expect(match?.[1]).toBe(`${flagsPath}?asOf=2024-12-31&limit=25&after=${encodeURIComponent(last)}`);
      query = match![1]!.slice(flagsPath.length);
    }
    expect(seen).toEqual(ids(whole.body));
  });

  it('answers 100 flags unless told, and says where the rest starts', async () => {
    const first = await page('?asOf=2024-12-31');
    expect(first.body).toHaveLength(100);
    expect(first.link).toBe(`<${flagsPath}?asOf=2024-12-31&limit=100&after=${encodeURIComponent(first.body[99].id)}>; rel="next"`);
  });

  it('names each finding by rule, region and what it is about, the same on every call', async () => {
    const first = await page('?asOf=2024-02-18');
    expect(ids(first.body)).toContain('late-pass-down:510100:lot-1');
    expect(first.body.find((flag: { id: string }) => flag.id === 'late-pass-down:510100:lot-1').regionCode).toBe('510100');
    // Another event in the fund: the finding keeps its id.
    expect((await app.post('/v1/disbursements', payment('510100', '100.00', 'PG-3', { beneficiaries: 1 }), 'cd')).status).toBe(201);
    expect(ids((await page('?asOf=2024-02-18')).body)).toEqual(ids(first.body));
  });

  it('narrows by rule, severity and region, and pages within what it narrowed to', async () => {
    const late = await page('?asOf=2024-02-18&rule=late-pass-down');
    expect(late.body).toHaveLength(21);
    const refused = await page('?rule=refused-attempt&severity=warning&region=510400');
    expect(ids(refused.body)).toEqual([expect.stringMatching(/^refused-attempt:510400:refusal-[0-9]+$/)]);
    expect((await page('?rule=refused-attempt&severity=critical')).body).toEqual([]);
    const chengdu = await page('?asOf=2024-02-18&region=510100');
    expect(ids(chengdu.body)).toEqual(['late-pass-down:510100:lot-1']);
    const firstTwo = await page('?asOf=2024-02-18&rule=late-pass-down&limit=2');
    expect(firstTwo.link).toBe(
      `<${flagsPath}?asOf=2024-02-18&rule=late-pass-down&limit=2&after=${encodeURIComponent(firstTwo.body[1].id)}>; rel="next"`,
    );
  });

  it('starts after the flag named', async () => {
    const whole = await page('?asOf=2024-02-18');
    const rest = await page(`?asOf=2024-02-18&after=${encodeURIComponent(whole.body[2].id)}`);
    expect(ids(rest.body)).toEqual(ids(whole.body).slice(3));
  });

  it('lists only what the key covers, paged the same way', async () => {
    // The 成都 operator key covers 510100 and its districts only.
    const covered = await page('?asOf=2024-12-31&limit=1000', 'op-cd');
    expect(covered.status).toBe(200);
    const all = await page('?asOf=2024-12-31&limit=1000');
    expect(ids(covered.body)).toEqual(
      ids(all.body.filter((flag: { regionCode: string }) => flag.regionCode.startsWith('5101'))),
    );
    expect(covered.body.length).toBeGreaterThan(0);
    const firstPage = await page('?asOf=2024-12-31&limit=1', 'op-cd');
    expect(ids(firstPage.body)).toEqual(ids(covered.body).slice(0, 1));
  });

  it('refuses a parameter it does not read, as every endpoint does', async () => {
    const answer = await page('?asOf=2024-02-18&colour=red');
    expect([answer.status, answer.body.code]).toEqual([400, 'validation-failed']);
    expect(answer.body.errors).toEqual([{ path: 'colour', message: 'query parameter colour should not exist' }]);
  });

  it.each([
    '?limit=0',
    '?limit=1001',
    '?limit=ten',
    '?after=nothing',
    '?after=late-pass-down:510100:lot-999999',
    '?rule=late',
    '?severity=high',
    '?region=5101',
  ])('refuses %s with 400 validation-failed', async (query) => {
    const refused = await page(query);
    expect([refused.status, refused.body.code]).toEqual([400, 'validation-failed']);
  });
});
