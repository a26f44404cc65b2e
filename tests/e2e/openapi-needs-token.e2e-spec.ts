import { startTestApp, type TestApp } from '../support/test-app';

/** API.md: everything but health needs a token, the OpenAPI document included; the /docs page is a shell. */
describe('the OpenAPI document needs a token', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ seed: false });
  }, 60_000);
  afterAll(() => app.close());

  it('/docs/json: 401 without a token or with an unknown one, 200 with a key of any role', async () => {
    const none = await app.call('GET', '/docs/json', { token: null });
    expect([none.status, none.contentType, none.body.code]).toEqual([401, 'application/problem+json; charset=utf-8', 'unauthenticated']);
    expect((await app.call('GET', '/docs/json', { token: 'em_never-issued' })).status).toBe(401);
    for (const role of ['op', 'aud', 'cd']) expect((await app.call('GET', '/docs/json', { token: role })).status).toBe(200);
  });

  it('the /docs page and its script carry no part of the document, and fetch it with the tab’s token', async () => {
    const page = await app.raw('GET', '/docs');
    expect(page.status).toBe(200);
    const script = await app.raw('GET', '/docs/swagger-ui-init.js');
    expect(script.status).toBe(200);
    expect(script.text).not.toContain('/v1/disbursements');
    expect(script.text).toContain('"url": "/docs/json"');
    expect(script.text).toContain("sessionStorage.getItem(storageKey)");
  });

  it('no YAML copy is served', async () => {
    expect((await app.raw('GET', '/docs-yaml')).status).toBe(404);
  });
});
