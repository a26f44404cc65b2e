import { FundLog, flagsOf } from '../support/fund-log';

/** Each refused command, with who sent it. */
describe('refused-attempt', () => {
  it('flags an overdraft attempt as a warning, naming the sender and the code', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    const refusal = log.refused({
      actor: 'pzh',
      code: 'insufficient-funds',
      regionCode: '510400',
      attemptedOn: '2024-03-01T08:00:00.000Z',
      detail: 'available 204700.00 元',
    });

    expect(flagsOf(log, 'refused-attempt', '2024-03-01')).toEqual([
      {
        rule: 'refused-attempt',
        regionCode: '510400',
        severity: 'warning',
        detail: 'pzh sent RecordDisbursement, refused insufficient-funds: available 204700.00 元',
        since: '2024-03-01',
        threshold: 'each refusal',
        evidence: [refusal],
      },
    ]);
  });

  it('flags other refusals as info, and one that named no region under ""', () => {
    const log = new FundLog();
    log.refused({ actor: 'cd', code: 'no-allocation', regionCode: '510104', attemptedOn: '2024-03-02T01:00:00.000Z', detail: 'no money' });
    log.refused({ actor: 'prov', code: 'total-mismatch', regionCode: null, attemptedOn: '2024-03-03T01:00:00.000Z', detail: 'lines differ' });

    expect(flagsOf(log, 'refused-attempt', '2024-03-31').map((flag) => [flag.regionCode, flag.severity, flag.detail])).toEqual([
      ['', 'info', 'prov sent RecordDisbursement, refused total-mismatch: lines differ'],
      ['510104', 'info', 'cd sent RecordDisbursement, refused no-allocation: no money'],
    ]);
  });

  it('does not flag an attempt made after the day asked about, nor anything when nobody was refused', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    expect(flagsOf(log, 'refused-attempt', '2024-03-01')).toEqual([]);

    log.refused({ actor: 'pzh', code: 'earmark-violation', regionCode: '510400', attemptedOn: '2024-03-02T00:30:00.000Z', detail: 'subject' });
    expect(flagsOf(log, 'refused-attempt', '2024-03-01')).toEqual([]);
  });
});
