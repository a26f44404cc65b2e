/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, with its globals.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ensureDashboardBuilt, openBrowser, seriousAxeViolations, tabTo, type Browser } from '../support/browser';
import { payment, program, settlement, startTestApp, year, type TestApp } from '../support/test-app';

/**
 * The desk in a real browser against the real service: what an operator does in a day. With
 * EARMARK_SCREENSHOTS=<folder> (npm run screenshots) it also leaves the README's pictures there.
 */
const screenshots = process.env.EARMARK_SCREENSHOTS ?? null;
const paymentsToChengdu = 25;

jest.setTimeout(120_000);

describe('The desk at /dashboard, driven by Chromium', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    app = await startTestApp();
    for (let i = 1; i <= paymentsToChengdu; i++) {
      const answer = await app.post('/v1/disbursements', payment('510100', '1000.00', `CD-DESK-${i}`, { paidOn: '2024-03-01' }), 'prov');
      expect(answer.status).toBe(201);
    }
    const settled = await app.post(
      '/v1/settlements',
      settlement('510100', [
        { category: 'dibao', persons: 20000, perPerson: '100.00' },
        { category: 'tekun', persons: 6000, perPerson: '100.00' },
      ]),
      'prov',
    );
    expect(settled.status).toBe(201);
    browser = await openBrowser();
    if (screenshots) mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const shoot = async (name: string) => {
    if (screenshots) await browser.page.screenshot({ path: join(screenshots, `${name}.png`) });
  };

  it('a finance token is told why it cannot read the books, not shown a raw 403', async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/dashboard`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('访问令牌').fill(app.token('prov'));
    await page.getByRole('button', { name: '登录' }).click();
    await expectText(page.getByTestId('login-problem'), '这是财政（记账）令牌：它只能提交拨付、下达和清算指令，不能查看台账。请改用经办或审计令牌登录。');
    expect(await page.evaluate(() => sessionStorage.getItem('earmark.token'))).toBeNull();
    // The refused sign-in is the one failed request the browser logs; nothing else may fail.
    expect(browser.consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
    browser.consoleErrors.length = 0;
  });

  it('signs in by keyboard alone and shows the seed totals in 元 and in 万元', async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/dashboard`);
    await page.getByLabel('访问令牌').fill('');
    await tabTo(page, '#token');
    await page.keyboard.type(app.token('aud'));
    await page.keyboard.press('Enter');
    const allocated = page.getByTestId('totals').locator('.figure', { hasText: '已分配' }).locator('dd');
    await expectText(allocated, '135,000,000.00 元');
    expect(await page.evaluate(() => sessionStorage.getItem('earmark.token'))).toBe(app.token('aud'));
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: '已支付' }).locator('dd'), '25,000.00 元');
    expect(await page.getByTestId('cities').locator('tbody tr').count()).toBe(21);
    await expectText(page.getByTestId('cities').locator('tr[data-region="510100"] td').nth(2), '25,000.00 元');
    await shoot('overview');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('万元').check();
    await expectText(allocated, '13,500.00 万元');
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: '已支付' }).locator('dd'), '2.50 万元');
    await page.getByLabel('元', { exact: true }).check();
    // The books as they stood before the payments of 2024-03-01.
    await page.getByLabel('账面截至日期').fill('2024-02-01');
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: '已支付' }).locator('dd'), '0.00 元');
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: '已清算地区' }).locator('dd'), '0');
    // Before the notice (2024-01-18) nothing was allocated: the page says so, with no totals and no 市(州).
    await page.getByLabel('账面截至日期').fill('2024-01-10');
    await expectText(page.getByTestId('no-money-then'), '截至 2024-01-10，该项目年度尚未分配资金。');
    expect(await page.getByTestId('totals').count()).toBe(0);
    expect(await page.getByTestId('cities').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '当前账面' }).click();
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: '已支付' }).locator('dd'), '25,000.00 元');
  });

  it('opens 成都 in the tree by keyboard and sees its districts', async () => {
    const { page } = browser;
    await tabTo(page, 'nav a[href="#/tree"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '地区树' }).waitFor();
    expect(await page.locator('tr[data-region="510104"]').count()).toBe(0);
    await tabTo(page, 'button[aria-label="展开 成都市"]', 80);
    await page.keyboard.press('Enter');
    await expectText(page.locator('tr[data-region="510104"] th'), '锦江区');
    await expectText(page.locator('tr[data-region="510185"] th'), '简阳市');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // 扩权县 sit under their 市 but are marked as funded by the province: 简阳 no, 仁寿 (511421, under 眉山) yes.
    await page.getByLabel('按名称或代码搜索').fill('仁寿');
    await expectText(page.locator('tr[data-region="511421"] th'), '仁寿县省直管（扩权县）');
    await page.getByLabel('按名称或代码搜索').fill('');
  });

  it('opens 成都市 by keyboard: balance, settlement, targets, and the trail page 2 through Link rel=next', async () => {
    const { page } = browser;
    await page.locator('tr[data-region="510100"] th a').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '成都市（510100）' }).waitFor();
    await expectText(page.getByTestId('settlement').locator('.figure', { hasText: '应得' }).locator('dd'), '2,600,000.00 元');
    await expectText(page.getByTestId('settlement').locator('.figure', { hasText: '调整' }).locator('dd'), '43,400.00 元');
    await expectText(page.getByTestId('balance').locator('.figure', { hasText: '结余' }).locator('dd'), '2,531,600.00 元');
    expect(await page.getByTestId('sub-regions').locator('tbody tr').count()).toBe(20);
    await page.locator('table.trail tbody tr').first().waitFor();
    expect(await page.locator('table.trail tbody tr').count()).toBe(20);
    await shoot('region');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await tabTo(page, 'nav.pager button:not([disabled])', 200);
    await page.keyboard.press('Enter');
    await expectText(page.getByTestId('trail-page'), '第 2 页');
    await page.waitForFunction(() => document.querySelectorAll('table.trail tbody tr').length === 7);
    const api = await app.get(`/v1/programs/${program}/years/${year}/regions/510100/trail`, 'aud');
    const lastPage = api.body.slice(20) as { position: number; hash: string }[];
    expect(await page.locator('table.trail tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-position'))))).toEqual(
      lastPage.map((entry) => entry.position),
    );
    await expectText(page.locator('table.trail tbody tr').last().locator('td.hash code'), lastPage[6].hash);
    await page.locator('table.trail tbody tr').last().getByRole('link').click();
    await page.getByRole('heading', { name: `事件 ${lastPage[6].position} 的包含性证明` }).waitFor();
  });

  it('lists the flags and filters them by rule, severity and region', async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/dashboard#/flags`);
    const flags = (await app.get(`/v1/programs/${program}/years/${year}/flags?limit=1000`, 'aud')).body as { rule: string; regionCode: string }[];
    await expectText(page.getByTestId('flag-count'), `共 ${flags.length.toLocaleString('en-US')} 条`);
    await page.getByLabel('地区（名称或代码）').fill('成都');
    const chengdu = flags.filter((flag) => flag.regionCode === '510100');
    await expectText(page.getByTestId('flag-count'), `共 ${chengdu.length} 条`);
    await page.getByLabel('地区（名称或代码）').fill('');
    await page.getByLabel('规则').selectOption('late-pass-down');
    await expectText(page.getByTestId('flag-count'), `共 ${flags.filter((flag) => flag.rule === 'late-pass-down').length} 条`);
    await shoot('flags');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('takes a flag 预警 → 处理 → 反馈 → 归档 with two tokens: an operator, then an auditor', async () => {
    const { page } = browser;
    // The seed's line to 自贡 is held past 30 days: its 滞留 flag stands today.
    const flags = (await app.get(`/v1/programs/${program}/years/${year}/flags?limit=1000&region=510300&rule=late-pass-down`, 'aud')).body as {
      id: string;
      state: string;
    }[];
    expect(flags.map((flag) => flag.state)).toEqual(['raised']);
    const id = flags[0].id;
    const signInAs = async (name: string) => {
      await page.goto(`${app.baseUrl}/dashboard#/flags`);
      await page.evaluate((token) => sessionStorage.setItem('earmark.token', token), app.token(name));
      await page.reload();
    };
    const row = page.locator(`tr[data-flag-id="${id}"]`);
    const step = async (button: string, note: string, after: string) => {
      await row.getByRole('button', { name: button, exact: true }).click();
      await row.getByLabel(`${button}说明`).fill(note);
      await row.getByRole('button', { name: '提交' }).click();
      await expectText(row.getByTestId('flag-state'), after);
    };

    await signInAs('op');
    await expectText(row.getByTestId('flag-state'), '预警');
    // An operator is offered the handling steps only.
    expect(await row.getByRole('button').allTextContents()).toEqual(['处理']);
    await row.getByRole('button', { name: '处理', exact: true }).click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: '取消' }).click();
    await step('处理', '已督促自贡市财政局下达', '处理');
    await step('反馈', '已于本月下达至各区县', '反馈');
    expect(await row.getByRole('button').count()).toBe(0);

    await signInAs('aud');
    await expectText(row.getByTestId('flag-state'), '反馈');
    expect(await row.getByRole('button').allTextContents()).toEqual(['归档', '退回重办']);
    await step('归档', '核实无误，归档', '归档');
    expect(await row.getByRole('button').allTextContents()).toEqual(['退回重办']);

    const after = (await app.get(`/v1/programs/${program}/years/${year}/flags?limit=1000&region=510300&rule=late-pass-down`, 'aud')).body;
    expect(after.map((flag: { id: string; state: string }) => [flag.id, flag.state])).toEqual([[id, 'archived']]);
    const steps = (await app.infrastructure.store.readStream(`flag-handling-${program}-${year}`)).map((event) => [
      event.data['action'],
      event.metadata['actor'],
      event.data['note'],
    ]);
    expect(steps).toEqual([
      ['acknowledge', 'op', '已督促自贡市财政局下达'],
      ['respond', 'op', '已于本月下达至各区县'],
      ['archive', 'aud', '核实无误，归档'],
    ]);
  });

  it('shows the allocation documents with their lines and the Annex 2 targets per 市(州)', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '分配文件' }).click();
    await page.getByRole('heading', { name: '分配文件' }).waitFor();
    await expectText(page.getByTestId('documents').locator('tbody th'), '川财社〔2024〕2号');
    await page.getByText('川财社〔2024〕2号 分配明细（93 个地区）').click();
    const lines = page.locator('details.document-lines tbody tr');
    expect(await lines.count()).toBe(93);
    await expectText(lines.first(), '510100成都市2,556,600.00 元');
    expect(await page.locator('h3', { hasText: '成都市' }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('downloads the xlsx whose totals equal the API’s to the 分', async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/dashboard#/`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 XLSX' }).click()]);
    expect(download.suggestedFilename()).toBe(`report-${program}-${year}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    const sheet = workbook.getWorksheet('元')!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const totals = sheet.getRow(sheet.rowCount);
    const total = (title: string) => (totals.getCell(header.indexOf(title)).value as { result: number }).result.toFixed(2);
    const programYear = (await app.get(`/v1/programs/${program}/years/${year}`, 'aud')).body;
    expect(total('分配（元）')).toBe(programYear.allocated);
    expect(total('支付（元）')).toBe(programYear.paid);
    expect(total('结余（元）')).toBe(programYear.available);
    expect(programYear.paid).toBe('25000.00');
  });

  it('switches to English, every label from the catalogue', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Program-year overview' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expectText(page.getByTestId('totals').locator('.figure', { hasText: 'Allocated' }).locator('dd'), '135,000,000.00 yuan');
    await page.getByRole('link', { name: 'Regions' }).click();
    await page.getByRole('heading', { name: 'Region tree' }).waitFor();
    expect(browser.consoleErrors).toEqual([]);
  });

  it('a 市’s key signs in and reads its own regions: the list’s figures of 成都, now and on a past date, its tree, flags and targets; the province’s pages say they need a key covering the province', async () => {
    // A tab of its own: its session holds no token of the steps before.
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${app.baseUrl}/dashboard`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('Access token').fill(app.token('op-cd'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const figure = (label: string) => page.getByTestId('totals').locator('.figure', { hasText: label }).locator('dd');
    await expectText(page.getByRole('heading', { name: 'Figures of the regions this token covers' }), 'Figures of the regions this token covers');
    await page.getByRole('button', { name: '中文' }).click();

    // 成都市's 255.66 万元, 25 payments of 1,000.00 to 10 persons each; nothing of the other 市(州).
    await expectText(page.getByTestId('key-covers'), '本令牌覆盖：成都市（510100），及其拨付的下级地区（不含省直管的扩权县）。');
    await expectText(page.getByRole('heading', { name: '本令牌覆盖地区的合计' }), '本令牌覆盖地区的合计');
    await expectText(figure('已分配'), '2,556,600.00 元');
    await expectText(figure('已支付'), '25,000.00 元');
    await expectText(figure('结余'), '2,531,600.00 元');
    await expectText(figure('代缴人数'), '250');
    await expectText(page.getByTestId('needs-province'), '全省合计需要覆盖省级的经办或审计令牌。');
    await expectText(page.getByTestId('report-needs-province'), '清算报表汇总全省各地区的资金，需要覆盖省级的经办或审计令牌。');
    expect(await page.locator('#program option').allTextContents()).toEqual(['困难群体养老保险个人缴费省级财政代缴资金 2024']);
    expect(await page.getByTestId('covered-regions').locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-region')))).toEqual(['510100']);
    await expectText(page.getByTestId('covered-regions').locator('tr[data-region="510100"] td').nth(4), '25,000.00 元');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A past date: the figures follow it as the table does. The day before the payments (2024-03-01), nothing paid yet.
    const asOf = page.getByLabel('账面截至日期');
    await asOf.fill('2024-02-29');
    await expectText(page.getByTestId('covered-regions').locator('tr[data-region="510100"] td').nth(4), '0.00 元');
    await expectText(figure('已分配'), '2,556,600.00 元');
    await expectText(figure('已支付'), '0.00 元');
    await expectText(figure('结余'), '2,556,600.00 元');
    await expectText(figure('代缴人数'), '0');
    expect(await page.getByText('合计为当前账面').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Before the notice (2024-01-18) 成都 had received nothing: the page says so in place of the figures.
    await asOf.fill('2024-01-10');
    await expectText(page.getByTestId('no-money-then'), '截至 2024-01-10，本令牌覆盖的地区在该项目年度尚未收到资金。');
    expect(await page.getByTestId('totals').count()).toBe(0);
    expect(await page.getByTestId('covered-regions').locator('tbody tr').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '当前账面' }).click();
    await expectText(figure('已支付'), '25,000.00 元');
    expect(await page.getByTestId('no-money-then').count()).toBe(0);

    // The tree: 成都市 and its 20 区/县, opened; no other 市(州).
    await page.getByRole('link', { name: '地区', exact: true }).click();
    await expectText(page.locator('tr[data-region="510104"] th'), '锦江区');
    expect(await page.locator('tr[data-region]').count()).toBe(21);
    await expectText(page.locator('tr[data-region="510100"] td.num').first(), '2,556,600.00 元');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Its flags, as the API gives them to this key.
    const flags = (await app.get(`/v1/programs/${program}/years/${year}/flags?limit=1000`, 'op-cd')).body as { regionCode: string }[];
    expect(flags.length).toBeGreaterThan(0);
    expect(new Set(flags.map((flag) => flag.regionCode))).toEqual(new Set(['510100']));
    await page.getByRole('link', { name: '预警' }).click();
    await expectText(page.getByTestId('flag-count'), `共 ${flags.length} 条`);

    // The documents list every region: the page says so and shows 成都's own targets.
    await page.getByRole('link', { name: '分配文件' }).click();
    await expectText(page.getByTestId('documents-need-province'), '分配文件列出全省各地区的分配，需要覆盖省级的经办或审计令牌才能查看。');
    await expectText(page.locator('h3'), '成都市 (510100)');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A proof is for an auditor key covering the province.
    await page.goto(`${app.baseUrl}/dashboard#/proof/1`);
    await expectText(page.getByTestId('proof-refused'), '包含性证明只对审计令牌开放。');
    await page.evaluate((token) => sessionStorage.setItem('earmark.token', token), app.token('aud-cd'));
    await page.reload();
    await expectText(page.getByTestId('proof-refused'), '包含性证明针对全省的审计日志，需要覆盖省级的审计令牌。');
    expect(consoleErrors).toEqual([]);

    // A region outside its tree: the API refuses it, and the page says why.
    await page.goto(`${app.baseUrl}/dashboard#/region/510300`);
    await expectText(page.getByRole('alert'), '本令牌不覆盖该地区，请使用覆盖该地区的令牌。');
    expect(await page.locator('table.trail').count()).toBe(0);
    expect(consoleErrors).toEqual(['Failed to load resource: the server responded with a status of 403 (Forbidden)']);
    await page.close();
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.first().waitFor();
  const deadline = Date.now() + 5_000;
  let seen = '';
  while (Date.now() < deadline) {
    seen = ((await locator.first().textContent()) ?? '').trim();
    if (seen === text) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(seen).toBe(text);
}
