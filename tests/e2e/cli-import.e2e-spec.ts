import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedPath } from '../support/test-app';
import { runCli } from '../support/server-process';

/** `earmark import` as an operator runs it, on a data folder of its own. */
describe('earmark import', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'earmark-cli-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const earmark = (...args: string[]) => runCli({ ...process.env, EARMARK_DATA_DIR: dataDir, EARMARK_STORE: 'sqlite' }, ...args);
  const eventCount = () => {
    const replayed = earmark('replay');
    return /from (\d+) events/.exec(replayed.stdout)?.[1];
  };

  it('the seed: 93 lines, 135,000,000.00 元, 21 target tables, a warning for each of the 20 shifted tables', () => {
    const run = earmark('import', seedPath);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('川财社〔2024〕2号: 93 lines, 135,000,000.00 元, 21 target tables, 20 warnings');
    expect(run.stdout.split('\n').filter((line) => line.startsWith('warning: '))).toHaveLength(20);
    expect(run.stdout).not.toMatch(/warning: .*成都市/);
    expect(eventCount()).toBe('23');
  });

  it('--dry-run checks everything and records nothing', () => {
    const run = earmark('import', seedPath, '--dry-run');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing recorded)');
    expect(eventCount()).toBe('0');
  });

  it('one amount changed by 0.01 万元: non-zero exit naming the difference, and nothing recorded', () => {
    const altered = join(dataDir, 'altered.txt');
    const text = readFileSync(seedPath, 'utf8');
    expect(text).toContain('成都市\t255.66\t');
    writeFileSync(altered, text.replace('成都市\t255.66\t', '成都市\t255.67\t'));
    const run = earmark('import', altered);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('differs by 100.00 元');
    expect(run.stderr).toContain('nothing was recorded');
    expect(eventCount()).toBe('0');
  });

  it('the same notice twice: refused as duplicate-document, and nothing more recorded', () => {
    expect(earmark('import', seedPath).status).toBe(0);
    const again = earmark('import', seedPath);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('refused, duplicate-document: document 川财社〔2024〕2号 is already recorded');
    expect(eventCount()).toBe('23');
  });

  it('a settlement notice (清算): refused as not a pre-allocation, and nothing recorded', () => {
    // v1 read any title without 补拨 as a pre-allocation: a 清算 notice doubled the allocation.
    const settlementNotice = join(dataDir, 'settlement.txt');
    const text = readFileSync(seedPath, 'utf8');
    expect(text).toContain('关于预拨');
    writeFileSync(settlementNotice, text.replace('关于预拨', '关于清算'));
    const run = earmark('import', settlementNotice);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('settlement notices are not pre-allocations');
    expect(eventCount()).toBe('0');
  });
});
