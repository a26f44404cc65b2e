import { RegionRegistry } from '@earmark/domain';
import type { RecordedEvent } from '@earmark/event-store';
import { concatenated, evaluateFlags, evaluatePerformance, flagSegments, FundAuditFold, FundJudge, type FlagSegment } from '../../src';
import { FundLog, registry, thresholds } from '../support/fund-log';

/**
 * The judge kept per fund, day and thresholds judges again, after new events, only the groups of
 * regions (a 市(州) with its counties) those events touched; what it gives equals `evaluateFlags`
 * over the whole fold. The property test of the fold (fold-equals-replay.spec.ts) holds it to a
 * fresh replay over random histories; these pin down what it judges again.
 */
const asOf = '2024-12-31';

function foldOf(events: readonly RecordedEvent[], fold = new FundAuditFold(), from = 0): FundAuditFold {
  for (const event of events.slice(from)) fold.apply(event);
  return fold;
}

const runKey = (segment: FlagSegment): string => `${segment.rule}:${segment.regionCode}`;

describe('FundJudge', () => {
  it('judges again only the group of the region a new payment touched, and keeps the other runs as they were', () => {
    const log = new FundLog();
    log.allocation([
      ['510100', '900000.00'],
      ['510300', '500000.00'],
      ['510321', '200000.00'],
    ]);
    log.passDown('510100', '510104', '100000.00', '2024-02-01');
    // Every payment is off the 100 元 standard, so each has a flag of its own.
    log.passDown('510300', '510302', '1000.00', '2024-02-01');
    log.payment('510104', '150.00', 1, '2024-03-01');
    log.payment('510302', '250.00', 2, '2024-03-02');
    log.payment('510321', '90.00', 1, '2024-03-03');
    const fold = foldOf(log.fundEvents);
    const judge = new FundJudge(registry, asOf, thresholds);
    const before = judge.flags(fold, []);
    expect(before).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry, asOf, thresholds }));
    expect(judge.flags(fold, [])).toBe(before);

    const count = log.fundEvents.length;
    log.payment('510104', '70.00', 1, '2024-04-05');
    foldOf(log.fundEvents, fold, count);
    const after = judge.flags(fold, []);
    expect(after).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry, asOf, thresholds }));
    // The new payment's flag, and the region's account now that two of its payments are off.
    expect(after.map((flag) => flag.id).filter((id) => !before.some((flag) => flag.id === id))).toEqual([
      'headcount-mismatch:510104:account',
      `headcount-mismatch:510104:payment-${count + 1}`,
    ]);

    const beforeRuns = new Map(flagSegments(before).map((segment) => [runKey(segment), segment]));
    const afterRuns = flagSegments(after);
    // 自贡 (510300) with 荣县 (510321), a 扩权县 it counts under, was not touched: the same runs.
    const untouched = afterRuns.filter((segment) => registry.prefectureOf(segment.regionCode) === '510300');
    expect(untouched.map(runKey)).toEqual([
      'headcount-mismatch:510302',
      'headcount-mismatch:510321',
      'late-pass-down:510300',
      'spending-pace:510300',
      'spending-pace:510302',
      'spending-pace:510321',
    ]);
    expect(untouched.filter((segment) => beforeRuns.get(runKey(segment)) !== segment)).toEqual([]);
    // 成都 (510100) was judged again: its runs are new, the earlier payment's flag the same object.
    const touched = afterRuns.filter((segment) => registry.prefectureOf(segment.regionCode) === '510100');
    expect(touched.map(runKey)).toEqual(['headcount-mismatch:510104', 'late-pass-down:510100', 'spending-pace:510100', 'spending-pace:510104']);
    expect(touched.filter((segment) => beforeRuns.get(runKey(segment)) === segment)).toEqual([]);
    const headcount = touched[0].flags;
    expect(headcount).toHaveLength(3);
    expect(headcount[0]).toBe(beforeRuns.get('headcount-mismatch:510104')?.flags[0]);
  });

  it('judges new refusals without judging the fund again, and keeps the performance rows per 市(州)', () => {
    const log = new FundLog();
    log.allocation([
      ['510100', '900000.00'],
      ['510300', '500000.00'],
    ]);
    log.targets('510100', { 'minimum-standard': '120元' });
    log.targets('510300');
    log.payment('510100', '100.00', 1, '2024-03-01');
    log.payment('510300', '100.00', 1, '2024-03-01');
    log.refused({ actor: 'finance-city', code: 'insufficient-funds', regionCode: '510300', attemptedOn: '2024-03-05T03:00:00.000Z', detail: 'refused' });
    const fold = foldOf(log.fundEvents);
    const judge = new FundJudge(registry, asOf, thresholds);
    const before = judge.flags(fold, []);
    const after = judge.flags(fold, log.refusalEvents);
    expect(after).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: log.refusalEvents, registry, asOf, thresholds }));
    expect(after.filter((flag) => flag.rule === 'refused-attempt').map((flag) => flag.regionCode)).toEqual(['510300']);
    // The fund's runs are those judged before the refusal arrived.
    const beforeRuns = new Set(flagSegments(before));
    expect(flagSegments(after).filter((segment) => segment.rule !== 'refused-attempt' && !beforeRuns.has(segment))).toEqual([]);
    // Refusals naming 510100, then 510300 again: 510100's run is new, 510300's is laid out again
    // with both of its refusals, and the earlier refusal's flag is the same object.
    log.refused({ actor: 'finance-city', code: 'not-a-child-region', regionCode: '510100', attemptedOn: '2024-03-06T03:00:00.000Z', detail: 'refused' });
    log.refused({ actor: 'finance-city', code: 'insufficient-funds', regionCode: '510300', attemptedOn: '2024-03-07T03:00:00.000Z', detail: 'refused' });
    const later = judge.flags(fold, log.refusalEvents);
    expect(later).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: log.refusalEvents, registry, asOf, thresholds }));
    const refusedRuns = (list: typeof later) => flagSegments(list).filter((segment) => segment.rule === 'refused-attempt');
    expect(refusedRuns(later).map((segment) => [segment.regionCode, segment.flags.length])).toEqual([
      ['510100', 1],
      ['510300', 2],
    ]);
    expect(refusedRuns(later)[1].flags[0]).toBe(refusedRuns(after)[0].flags[0]);
    const laterRuns = new Set(flagSegments(later));
    expect(flagSegments(after).filter((segment) => segment.rule !== 'refused-attempt' && !laterRuns.has(segment))).toEqual([]);
    // One more refusal naming 510100 leaves 510300's run as it was.
    log.refused({ actor: 'finance-city', code: 'insufficient-funds', regionCode: '510100', attemptedOn: '2024-03-08T03:00:00.000Z', detail: 'refused' });
    const last = judge.flags(fold, log.refusalEvents);
    expect(last).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: log.refusalEvents, registry, asOf, thresholds }));
    expect(refusedRuns(last)[1]).toBe(refusedRuns(later)[1]);

    const rows = judge.performance(fold);
    expect(rows).toEqual(evaluatePerformance(fold.audit, registry, thresholds, asOf));
    expect([...new Set(rows.map((row) => row.regionCode))]).toEqual(['510100', '510300']);
    const count = log.fundEvents.length;
    log.payment('510300', '80.00', 1, '2024-04-01');
    foldOf(log.fundEvents, fold, count);
    const rowsAfter = judge.performance(fold);
    expect(rowsAfter).toEqual(evaluatePerformance(fold.audit, registry, thresholds, asOf));
    // 成都's rows are the same objects; 自贡's minimum standard now reads the 0.80 元 payment.
    expect(rowsAfter.filter((row) => row.regionCode === '510100').every((row, index) => row === rows[index])).toBe(true);
    expect(rowsAfter.find((row) => row.regionCode === '510300' && row.indicator === 'minimum-standard')?.actual).toBe('80.00');
  });

  it('judges the whole fund each time when a region is funded from another group', () => {
    // A registry in which a county is funded by a region of province level under the root: the
    // county counts under no 市(州), so it is a group of its own, and its funding parent's
    // settlement would close it from another group.
    const odd = new RegionRegistry([
      { code: '510000', name: '四川省', shortName: '四川', level: 'province', parentCode: null, directFromProvince: false },
      { code: '510100', name: '甲区', shortName: '甲', level: 'province', parentCode: '510000', directFromProvince: true },
      { code: '510104', name: '乙县', shortName: '乙', level: 'county', parentCode: '510100', directFromProvince: false },
    ]);
    const log = new FundLog();
    log.allocation([['510100', '900000.00']]);
    log.passDown('510100', '510104', '1000.00', '2024-02-01');
    log.payment('510104', '150.00', 1, '2024-03-01');
    const fold = foldOf(log.fundEvents);
    const judge = new FundJudge(odd, asOf, thresholds);
    const before = judge.flags(fold, []);
    expect(before).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry: odd, asOf, thresholds }));
    const count = log.fundEvents.length;
    log.payment('510104', '70.00', 1, '2024-04-05');
    foldOf(log.fundEvents, fold, count);
    const after = judge.flags(fold, []);
    expect(after).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry: odd, asOf, thresholds }));
    // Judged whole: no run is kept, not even the funding region's own.
    const beforeRuns = new Set(flagSegments(before));
    expect(flagSegments(after).filter((segment) => beforeRuns.has(segment))).toEqual([]);
    expect(flagSegments(after).map(runKey)).toContain('spending-pace:510100');
  });

  it('lays out more runs than a call takes arguments', () => {
    // Refusals naming 200,000 different regions make as many runs of the refused attempts.
    const runs = Array.from({ length: 200_000 }, (_unused, index) => (index % 3 === 0 ? [] : [index, -index]));
    const laid = concatenated(runs);
    expect(laid).toHaveLength(266_666);
    expect(laid.join(',')).toBe(runs.flat().join(','));
  });

  it('pauses after each group it judges when asked to, and calls at one version share the judgement', async () => {
    const log = new FundLog();
    log.allocation([
      ['510100', '900000.00'],
      ['510300', '500000.00'],
      ['510321', '200000.00'],
      ['510400', '300000.00'],
    ]);
    log.payment('510100', '150.00', 1, '2024-03-01');
    log.payment('510400', '150.00', 1, '2024-03-01');
    const fold = foldOf(log.fundEvents);
    const judge = new FundJudge(registry, asOf, thresholds);
    const turns: string[] = [];
    const pause = async (): Promise<void> => {
      turns.push('pause');
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    // 成都, 自贡 with 荣县, 攀枝花: three groups, a pause after each.
    setImmediate(() => turns.push('another turn'));
    const [first, second] = await Promise.all([judge.flagsInTurns(fold, [], pause), judge.flagsInTurns(fold, [], pause)]);
    expect(first).toBe(second);
    expect(first).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry, asOf, thresholds }));
    expect(turns).toEqual(['pause', 'another turn', 'pause', 'pause']);
    // Judged, the same version asks nothing of the groups again.
    expect(await judge.flagsInTurns(fold, [], pause)).toBe(first);
    expect(turns).toHaveLength(4);
    // After a payment to 攀枝花 only its group is judged: one pause.
    const count = log.fundEvents.length;
    log.payment('510400', '70.00', 1, '2024-04-05');
    foldOf(log.fundEvents, fold, count);
    const after = await judge.flagsInTurns(fold, [], pause);
    expect(after).toEqual(evaluateFlags({ audit: fold.audit, refusalEvents: [], registry, asOf, thresholds }));
    expect(turns).toHaveLength(5);
    // The performance rows, judged for the first time: every group.
    const rows = await judge.performanceInTurns(fold, pause);
    expect(rows).toEqual(evaluatePerformance(fold.audit, registry, thresholds, asOf));
    expect(turns).toHaveLength(8);
  });
});
