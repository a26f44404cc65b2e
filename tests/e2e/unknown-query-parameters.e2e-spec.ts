import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

/** A query parameter an endpoint does not read is refused like an unknown body field: 400 naming it. */
describe('unknown query parameters', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(() => app.close());

  it('a misspelt asOf is refused, naming it, rather than answering today’s books', async () => {
    const answer = await app.get(`/v1/programs/${program}/years/${year}/regions/510100?asof=2024-01-01`);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/problem+json; charset=utf-8');
    expect(answer.body).toMatchObject({
      code: 'validation-failed',
      errors: [{ path: 'asof', message: 'query parameter asof should not exist' }],
    });
  });

  it('every unknown one is named; the known ones and minPosition pass', async () => {
    const answer = await app.get('/v1/regions?page=2&sort=name');
    expect(answer.body.errors).toEqual([
      { path: 'page', message: 'query parameter page should not exist' },
      { path: 'sort', message: 'query parameter sort should not exist' },
    ]);
    expect((await app.get(`/v1/programs/${program}/years/${year}/regions/510100/trail?limit=1&after=0&minPosition=1`)).status).toBe(200);
    expect((await app.get('/v1/regions?minPosition=0')).status).toBe(200);
  });

  it('a command takes none: refused, and nothing recorded', async () => {
    const before = await app.infrastructure.store.headPosition();
    const answer = await app.post('/v1/disbursements?dryRun=true', payment('510100', '1.00', 'Q-1'), 'cd');
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ path: 'dryRun', message: 'query parameter dryRun should not exist' }]);
    expect(await app.infrastructure.store.headPosition()).toBe(before);
  });

  it('without a token it is the 401 first, as for an unknown body field', async () => {
    expect((await app.call('GET', '/v1/regions?page=2', { token: null })).status).toBe(401);
  });
});
