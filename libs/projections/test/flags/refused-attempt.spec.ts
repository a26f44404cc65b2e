import { FundLog, flagsOf } from '../support/fund-log';

/** Each refused command, with who sent it; overdraft, earmark, hierarchy and scope as warnings. */
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

  it('flags hierarchy and scope refusals as warnings', () => {
    const log = new FundLog();
    const at = '2024-03-01T02:00:00.000Z';
    log.refused({ actor: 'cd', code: 'not-a-child-region', regionCode: '510100', attemptedOn: at, detail: '510321 is not a child of 510100 that 510100 pays' });
    log.refused({ actor: 'prov', code: 'not-a-recipient', regionCode: '510104', attemptedOn: at, detail: '510104 does not receive money from 510000 directly', commandType: 'RecordAllocation' });
    log.refused({ actor: 'cd', code: 'issuer-not-root', regionCode: '510100', attemptedOn: at, detail: '510100 is not the funding root', commandType: 'RecordAllocation' });
    log.refused({ actor: 'zg', code: 'forbidden', regionCode: '510321', attemptedOn: at, detail: 'the key does not cover 510321' });
    log.refused({ actor: 'pzh', code: 'earmark-violation', regionCode: '510400', attemptedOn: at, detail: 'subject' });

    expect(flagsOf(log, 'refused-attempt', '2024-03-01').map((flag) => [flag.regionCode, flag.severity, flag.detail])).toEqual([
      ['510100', 'warning', 'cd sent RecordDisbursement, refused not-a-child-region: 510321 is not a child of 510100 that 510100 pays'],
      ['510100', 'warning', 'cd sent RecordAllocation, refused issuer-not-root: 510100 is not the funding root'],
      ['510104', 'warning', 'prov sent RecordAllocation, refused not-a-recipient: 510104 does not receive money from 510000 directly'],
      ['510321', 'warning', 'zg sent RecordDisbursement, refused forbidden: the key does not cover 510321'],
      ['510400', 'warning', 'pzh sent RecordDisbursement, refused earmark-violation: subject'],
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

  it('dates an attempt by the day in China, and leaves out one made after the day asked about', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    // 17:30 UTC on 1 March is 01:30 on 2 March in Chengdu.
    log.refused({ actor: 'pzh', code: 'insufficient-funds', regionCode: '510400', attemptedOn: '2024-03-01T17:30:00.000Z', detail: 'x' });

    expect(flagsOf(log, 'refused-attempt', '2024-03-01')).toEqual([]);
    expect(flagsOf(log, 'refused-attempt', '2024-03-02').map((flag) => flag.since)).toEqual(['2024-03-02']);
  });
});
