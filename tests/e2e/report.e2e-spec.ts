import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryBus } from '@nestjs/cqrs';
import { LedgerSource } from '@earmark/application';
import { defaultFlagThresholds } from '@earmark/projections';
import { buildLedgerReport, loadReportInput, renderReport } from '@earmark/reports';
import { runCli } from '../support/server-process';
import { passDown, payment, program, seedPath, startTestApp, year, type TestApp } from '../support/test-app';

/** Each CLI run loads the whole application (about two seconds). */
const cliTimeoutMs = 60_000;

/** The CSV's rows keyed by column title; the totals row is the one whose region is "total". */
function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trimEnd().split('\n').map((line) => line.split(','));
  return rows.map((cells) => Object.fromEntries(header.map((title, i) => [title, cells[i]])));
}

describe('earmark report: totals equal the program-year totals to the 分', () => {
  describe('on the seed, from the command line', () => {
    let dataDir: string;
    beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'earmark-report-'))));
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    const earmark = (...args: string[]) => runCli({ ...process.env, EARMARK_DATA_DIR: dataDir, EARMARK_STORE: 'sqlite' }, ...args);

    it('csv: 93 region rows and a totals row of 135000000.00 allocated and available', () => {
      expect(earmark('import', seedPath).status).toBe(0);
      const run = earmark('report', '--program', program, '--year', String(year), '--format', 'csv', '--out', join(dataDir, 'report.csv'));
      expect(run.stderr).toContain('report written to');
      expect(run.status).toBe(0);
      const rows = parseCsv(readFileSync(join(dataDir, 'report.csv'), 'utf8'));
      expect(rows).toHaveLength(94);
      expect(rows[0]).toMatchObject({ region: '510100', name: '成都市', allocated: '2556600.00', available: '2556600.00', status: 'open' });
      expect(rows[93]).toMatchObject({
        region: 'total',
        allocated: '135000000.00',
        received: '0.00',
        received_from_returns: '0.00',
        passed_down: '0.00',
        paid: '0.00',
        persons: '0',
        returned: '0.00',
        available: '135000000.00',
      });
    }, cliTimeoutMs);

    it('--lang zh-CN: the API’s Chinese csv with its byte-order mark; --format xlsx writes the workbook', () => {
      const csv = earmark('report', '--program', program, '--year', String(year), '--format', 'csv', '--lang', 'zh-CN');
      expect(csv.status).toBe(0);
      expect(csv.stdout.startsWith('\uFEFF地区代码,地区名称,分配,')).toBe(true);
      expect(csv.stdout).toContain('\n合计,,135000000.00,');
      const xlsx = join(dataDir, 'report.xlsx');
      expect(earmark('report', '--program', program, '--year', String(year), '--format', 'xlsx').status).toBe(2);
      expect(earmark('report', '--program', program, '--year', String(year), '--format', 'xlsx', '--out', xlsx).status).toBe(0);
      expect(readFileSync(xlsx).subarray(0, 2).toString('latin1')).toBe('PK');
    }, cliTimeoutMs);

    it('a wrong format is a usage error (exit 2); an unknown program-year exits 1', () => {
      expect(earmark('report', '--program', program, '--year', String(year), '--format', 'pdf').status).toBe(2);
      const unknown = earmark('report', '--program', 'no-such-program', '--year', String(year), '--format', 'md');
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('nothing recorded for no-such-program in 2024');
    }, cliTimeoutMs);
  });

  describe('after money moved, against GET /v1/programs/…/years/2024', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp();
      const returned = (region: string, amount: string, voucherNo: string) => ({
        programCode: program,
        fiscalYear: year,
        regionCode: region,
        kind: 'return',
        amount,
        paidOn: '2024-04-01',
        voucherNo,
      });
      const answers = [
        await app.post('/v1/disbursements', passDown('510100', '510104', '1000.00', 'RPT-1'), 'cd'),
        await app.post('/v1/disbursements', payment('510104', '300.00', 'RPT-2', { beneficiaries: 3 }), 'cd'),
        // A county gives 50.00 back to its city: it stays in the fund.
        await app.post('/v1/disbursements', returned('510104', '50.00', 'RPT-3'), 'cd'),
        // A city gives 10.00 back to the province: it leaves the fund.
        await app.post('/v1/disbursements', returned('510400', '10.00', 'RPT-4'), 'pzh'),
        await app.post('/v1/disbursements', payment('510400', '0.01', 'RPT-5', { beneficiaries: 1 }), 'pzh'),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    });
    afterAll(() => app.close());

    it('the csv totals row equals the program-year totals exactly', async () => {
      const input = await loadReportInput(app.app.get(LedgerSource), app.app.get(QueryBus), {
        programCode: program,
        fiscalYear: year,
        asOf: null,
        thresholds: defaultFlagThresholds,
      });
      const rows = parseCsv(renderReport(buildLedgerReport(input), 'csv'));
      const totals = rows[rows.length - 1];
      const programYear = (await app.get(`/v1/programs/${program}/years/${year}`)).body;

      expect(programYear).toMatchObject({
        allocated: '135000000.00',
        passedDown: '1000.00',
        paid: '300.01',
        beneficiaries: 4,
        returned: '10.00',
        available: '134999689.99',
      });
      expect(totals).toMatchObject({
        region: 'total',
        allocated: programYear.allocated,
        received: programYear.passedDown,
        passed_down: programYear.passedDown,
        paid: programYear.paid,
        persons: String(programYear.beneficiaries),
        available: programYear.available,
        // 60.00 left regions; 50.00 of it reached a city, 10.00 the province: the program-year's returned.
        returned: '60.00',
        received_from_returns: '50.00',
      });
      expect(rows.find((row) => row.region === '510104')).toMatchObject({
        received: '1000.00',
        paid: '300.00',
        persons: '3',
        returned: '50.00',
        available: '650.00',
      });
      expect(rows.find((row) => row.region === '510100')).toMatchObject({
        passed_down: '1000.00',
        received_from_returns: '50.00',
        available: '2555650.00',
      });
    });

    it('md and html carry the same totals row', async () => {
      const input = await loadReportInput(app.app.get(LedgerSource), app.app.get(QueryBus), {
        programCode: program,
        fiscalYear: year,
        asOf: '2024-04-01',
        thresholds: defaultFlagThresholds,
      });
      const report = buildLedgerReport(input);
      expect(renderReport(report, 'md')).toContain(
        '| **total** |  | **135000000.00** | **1000.00** | **50.00** | **1000.00** | **300.01** | **4** | **60.00** | **134999689.99** |',
      );
      expect(renderReport(report, 'html')).toContain(
        '<tfoot><tr><td>total</td><td></td><td class="num">135000000.00</td><td class="num">1000.00</td><td class="num">50.00</td>' +
          '<td class="num">1000.00</td><td class="num">300.01</td><td class="num">4</td><td class="num">60.00</td><td class="num">134999689.99</td>',
      );
    });
  });
});
