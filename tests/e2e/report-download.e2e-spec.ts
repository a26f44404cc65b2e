import ExcelJS from 'exceljs';
import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';

const reportPath = `/v1/programs/${program}/years/${year}/report`;

async function download(app: TestApp, query: string, token = 'op'): Promise<{ status: number; type: string; disposition: string; body: Buffer }> {
  const response = await fetch(`${app.baseUrl}${reportPath}${query}`, { headers: { authorization: `Bearer ${app.token(token)}` } });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    disposition: response.headers.get('content-disposition') ?? '',
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** The totals row of a sheet: the last row, each cell's formula and cached result. */
function totalsRow(sheet: ExcelJS.Worksheet): Map<string, { formula: string; result: unknown }> {
  const header = sheet.getRow(1).values as unknown[];
  const last = sheet.getRow(sheet.rowCount);
  const totals = new Map<string, { formula: string; result: unknown }>();
  header.forEach((title, column) => {
    const value = last.getCell(column).value as { formula?: string; result?: unknown } | null;
    if (value && typeof value === 'object' && 'formula' in value) totals.set(String(title), { formula: value.formula ?? '', result: value.result });
  });
  return totals;
}

describe('GET /v1/programs/{p}/years/{y}/report: the reconciliation report as a download', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    expect((await app.post('/v1/disbursements', payment('510100', '1234.56', 'CD-R-1'), 'prov')).status).toBe(201);
  });
  afterAll(() => app.close());

  it('xlsx: a 元 sheet and a 万元 sheet whose totals formulas and results equal the program-year to the 分', async () => {
    const { status, type, disposition, body } = await download(app, '?format=xlsx');
    expect(status).toBe(200);
    expect(type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(disposition).toBe(`attachment; filename="report-${program}-${year}.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['元', '万元', '说明']);
    const yuan = workbook.getWorksheet('元')!;
    expect(yuan.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(yuan.rowCount).toBe(95); // header, 93 regions, totals
    expect(yuan.getRow(1).getCell(1).value).toBe('地区代码');
    const chengdu = yuan.getRow(2);
    expect(chengdu.getCell(1).value).toBe('510100');
    expect(chengdu.getCell(3).value).toBe(2556600);
    expect(chengdu.getCell(7).value).toBe(1234.56);
    const totals = totalsRow(yuan);
    expect(totals.get('分配（元）')).toEqual({ formula: 'ROUND(SUM(C2:C94),2)', result: 135000000 });
    expect(totals.get('支付（元）')).toEqual({ formula: 'ROUND(SUM(G2:G94),2)', result: 1234.56 });
    expect(totals.get('结余（元）')).toEqual({ formula: 'ROUND(SUM(J2:J94),2)', result: 134998765.44 });
    const programYear = (await app.get(`/v1/programs/${program}/years/${year}`)).body;
    expect((totals.get('结余（元）')!.result as number).toFixed(2)).toBe(programYear.available);
    const wan = totalsRow(workbook.getWorksheet('万元')!);
    expect(wan.get('分配（万元）')).toEqual({ formula: 'ROUND(SUM(C2:C94),6)', result: 13500 });
    expect(wan.get('结余（万元）')!.result).toBe(13499.876544);
  });

  it('csv: UTF-8 with a byte-order mark, Chinese headers and a 合计 row', async () => {
    const { status, type, body } = await download(app, '?format=csv');
    expect(status).toBe(200);
    expect(type).toBe('text/csv; charset=utf-8');
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).trimEnd().split('\n');
    expect(lines[0]).toBe('地区代码,地区名称,分配,收到下达,下级缴回,下达,支付,人数,缴回,结余,状态,清算调整,清算未结,预警');
    expect(lines).toHaveLength(95);
    expect(lines[94].startsWith('合计,,135000000.00,0.00,0.00,0.00,1234.56,10,0.00,134998765.44,,,,')).toBe(true);
  });

  it('md and html carry the same totals in Chinese', async () => {
    const md = (await download(app, '?format=md')).body.toString('utf8');
    expect(md).toContain('| **合计** |  | **135000000.00** |');
    const html = await download(app, '?format=html');
    expect(html.type).toBe('text/html; charset=utf-8');
    expect(html.body.toString('utf8')).toContain('<td>合计</td><td></td><td class="num">135000000.00</td>');
  });

  it('as of a date: the books as they stood, named in the file', async () => {
    const { status, disposition, body } = await download(app, '?format=csv&asOf=2024-02-01');
    expect(status).toBe(200);
    expect(disposition).toBe(`attachment; filename="report-${program}-${year}-as-of-2024-02-01.csv"`);
    expect(body.toString('utf8')).toContain('合计,,135000000.00,0.00,0.00,0.00,0.00,0,0.00,135000000.00,');
  });

  it('refuses an unknown format (400), a finance key and a key not covering the root (403), an unknown program (404)', async () => {
    const bad = await app.call('GET', `${reportPath}?format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation-failed', errors: [{ path: 'format', message: 'must be one of xlsx, csv, md, html' }] });
    expect((await app.call('GET', `${reportPath}?format=csv`, { token: 'prov' })).body.code).toBe('forbidden');
    expect((await app.call('GET', `${reportPath}?format=csv`, { token: 'op-cd' })).status).toBe(403);
    expect((await app.call('GET', `/v1/programs/no-such/years/${year}/report?format=csv`)).status).toBe(404);
  });
});

describe('GET /v1/programs/{p}/years/{y}/documents/{documentNo}: an allocation document with its lines', () => {
  let app: TestApp;
  beforeAll(async () => (app = await startTestApp()));
  afterAll(() => app.close());

  const documentPath = (documentNo: string) => `/v1/programs/${program}/years/${year}/documents/${encodeURIComponent(documentNo)}`;

  it('gives the notice’s 93 lines, its subjects and its total', async () => {
    const { status, body } = await app.get(documentPath('川财社〔2024〕2号'), 'aud');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      documentNo: '川财社〔2024〕2号',
      kind: 'pre-allocation',
      issuedOn: '2024-01-18',
      issuerRegionCode: '510000',
      incomeSubject: '1100299',
      expenditureSubject: '2083001',
      total: '135000000.00',
      position: 1,
    });
    expect(body.lines).toHaveLength(93);
    expect(body.lines[0]).toEqual({ regionCode: '510100', regionName: '成都市', amount: '2556600.00' });
    expect(body.lines.find((line: { regionCode: string }) => line.regionCode === '513400')).toEqual({
      regionCode: '513400',
      regionName: '凉山彝族自治州',
      amount: '26157200.00',
    });
  });

  it('404 for an unknown document, 403 for a key not covering the root', async () => {
    expect((await app.get(documentPath('川财社〔2024〕99号'))).body.code).toBe('not-found');
    expect((await app.get(documentPath('川财社〔2024〕2号'), 'op-cd')).status).toBe(403);
  });
});
