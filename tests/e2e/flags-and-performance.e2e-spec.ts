import { defaultFlagThresholds } from '@earmark/projections';
import { payment, program, startTestApp, year, type TestApp } from '../support/test-app';
import { flagThresholdsFromEnv } from '@earmark/runtime';

const flagsPath = `/v1/programs/${program}/years/${year}/flags`;
const performancePath = `/v1/programs/${program}/years/${year}/performance`;
const datePattern = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

const enrolmentReport = {
  programCode: program,
  fiscalYear: year,
  regionCode: '510100',
  indicator: 'enrolment-rate',
  value: '93.5',
  period: '2024',
  reportedOn: '2024-12-31',
};

describe("The auditors' flags and the performance view over HTTP, after the seed", () => {
  // Each test starts from the seeded ledger alone and arranges whatever else it needs.
  let app: TestApp;
  beforeEach(async () => (app = await startTestApp()));
  afterEach(() => app.close());

  it('as of 2024-01-31, thirteen days after the notice, nothing is flagged yet', async () => {
    const { status, body } = await app.get(`${flagsPath}?asOf=2024-01-31`, 'aud');
    expect(status).toBe(200);
    expect(body).toEqual([]);
  });

  it('as of 2024-02-18, each of the 21 市(州) holds its money late, and nothing else is flagged', async () => {
    const { body } = await app.get(`${flagsPath}?asOf=2024-02-18`);
    // A 扩权县 has nobody below it to pass money down to: only the 市(州) can hold it up (滞留).
    expect(body.map((flag: { rule: string }) => flag.rule)).toEqual(Array(21).fill('late-pass-down'));
    expect(body.find((flag: { regionCode: string }) => flag.regionCode === '510100')).toEqual({
      id: 'late-pass-down:510100:lot-1',
      rule: 'late-pass-down',
      regionCode: '510100',
      severity: 'warning',
      detail:
        '2556600.00 元 of the 2556600.00 元 received on 2024-01-18 (pre-allocation 川财社〔2024〕2号) not passed down or paid out ' +
        'within 30 days: 2556600.00 元 still held after 31 days',
      since: '2024-02-18',
      threshold: '30 days',
      state: 'raised',
      resolved: false,
      evidence: [1],
    });
  });

  it('a refused payment shows as a refused-attempt flag naming who sent it', async () => {
    const refused = await app.post('/v1/disbursements', payment('510400', '99999999.00', 'PZH-FLAG-1'), 'pzh');
    expect(refused.status).toBe(422);
    const { status, body } = await app.get(flagsPath);
    expect(status).toBe(200);
    const attempts = body.filter((flag: { rule: string }) => flag.rule === 'refused-attempt');
    expect(attempts).toEqual([
      {
        id: 'refused-attempt:510400:refusal-24',
        rule: 'refused-attempt',
        regionCode: '510400',
        severity: 'warning',
        detail: 'pzh sent RecordDisbursement, refused insufficient-funds: available 204700.00 元',
        since: expect.stringMatching(datePattern),
        threshold: 'each refusal',
        state: 'raised',
        resolved: false,
        evidence: [24],
      },
    ]);
  });

  it('a payment that is not beneficiaries × 100 元 shows as a headcount mismatch', async () => {
    const paid = await app.post('/v1/disbursements', payment('510400', '100.00', 'PZH-FLAG-2'), 'pzh');
    expect(paid.status).toBe(201);
    const { body } = await app.get(flagsPath);
    expect(body.filter((flag: { rule: string }) => flag.rule === 'headcount-mismatch')).toEqual([
      {
        id: `headcount-mismatch:510400:payment-${paid.body.position}`,
        rule: 'headcount-mismatch',
        regionCode: '510400',
        severity: 'warning',
        detail: 'voucher PZH-FLAG-2 paid 100.00 元 for 10 persons; 10 × 100.00 元 = 1000.00 元, a difference of -900.00 元',
        since: '2024-03-01',
        threshold: '100.00 元 per person',
        state: 'raised',
        resolved: false,
        // The payment the finding is about first, then the targets that state the standard.
        evidence: [paid.body.position, expect.any(Number)],
      },
    ]);
  });

  it('lists the 21 市(州), six indicators each, with the targets of the notice', async () => {
    expect((await app.post('/v1/disbursements', payment('510400', '100.00', 'PZH-PERF-1'), 'pzh')).status).toBe(201);
    const { status, body } = await app.get(performancePath, 'aud');
    expect(status).toBe(200);
    expect(body).toHaveLength(21 * 6);
    const prefectures = [...new Set(body.map((row: { regionCode: string }) => row.regionCode))];
    expect(prefectures).toHaveLength(21);
    expect(body.filter((row: { regionCode: string }) => row.regionCode === '510100')).toEqual([
      { regionCode: '510100', indicator: 'persons-covered', target: '按照政策规定应缴尽缴', actual: '0', met: null },
      { regionCode: '510100', indicator: 'enrolment-rate', target: '≥95%', actual: null, met: null },
      { regionCode: '510100', indicator: 'on-time-pass-down-rate', target: '≥95%', actual: '0.00', met: false },
      { regionCode: '510100', indicator: 'minimum-standard', target: '100元', actual: null, met: null },
      { regionCode: '510100', indicator: 'effect', target: '长期', actual: null, met: null },
      { regionCode: '510100', indicator: 'satisfaction', target: '≥95%', actual: null, met: null },
    ]);
    // 攀枝花's payment of 100.00 元 for 10 persons: 10.00 元 per person, short of the standard.
    expect(body.find((row: { regionCode: string; indicator: string }) => row.regionCode === '510400' && row.indicator === 'minimum-standard')).toEqual({
      regionCode: '510400',
      indicator: 'minimum-standard',
      target: '100元',
      actual: '10.00',
      met: false,
    });
  });

  it('an operator may not report an actual; the city may, and its enrolment rate below 95% is flagged', async () => {
    const byOperator = await app.post('/v1/performance-actuals', enrolmentReport, 'op');
    expect(byOperator.status).toBe(403);
    expect(byOperator.body.code).toBe('forbidden');

    const reported = await app.post('/v1/performance-actuals', enrolmentReport, 'cd');
    expect(reported.status).toBe(201);

    const performance = await app.get(performancePath);
    expect(
      performance.body.find((row: { regionCode: string; indicator: string }) => row.regionCode === '510100' && row.indicator === 'enrolment-rate'),
    ).toEqual({ regionCode: '510100', indicator: 'enrolment-rate', target: '≥95%', actual: '93.50', met: false });

    const flags = await app.get(flagsPath);
    expect(flags.body.filter((flag: { rule: string }) => flag.rule === 'performance-enrolment-rate')).toEqual([
      {
        id: 'performance-enrolment-rate:510100:targets',
        rule: 'performance-enrolment-rate',
        regionCode: '510100',
        severity: 'warning',
        detail: 'enrolment rate 93.50% reported for 510100, period 2024, on 2024-12-31 by cd; target ≥95%',
        since: '2024-12-31',
        threshold: '≥95%',
        state: 'raised',
        resolved: false,
        evidence: [expect.any(Number), reported.body.position],
      },
    ]);
  });

  it('is for operators and auditors only, checks its parameters, and knows no other program', async () => {
    expect((await app.get(flagsPath, 'pzh')).status).toBe(403);
    expect((await app.get(performancePath, 'cd')).status).toBe(403);
    expect((await app.call('GET', flagsPath, { token: null })).status).toBe(401);
    const badDate = await app.get(`${flagsPath}?asOf=2024-02-30`);
    expect(badDate.status).toBe(400);
    expect(badDate.body.code).toBe('validation-failed');
    const unknown = await app.get(`/v1/programs/no-such-program/years/${year}/flags`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not-found');
    expect((await app.get(`/v1/programs/no-such-program/years/${year}/performance`)).status).toBe(404);
  });

  it('documents both endpoints in the OpenAPI document', async () => {
    const json = await app.call('GET', '/docs/json', { token: 'op' });
    expect(Object.keys(json.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/programs/{programCode}/years/{fiscalYear}/flags',
        '/v1/programs/{programCode}/years/{fiscalYear}/performance',
      ]),
    );
  });
});

describe('flagThresholdsFromEnv', () => {
  it('keeps the defaults for what the environment does not set', () => {
    expect(flagThresholdsFromEnv({})).toEqual(defaultFlagThresholds);
  });

  it('reads every threshold, the standard in 元', () => {
    expect(
      flagThresholdsFromEnv({
        EARMARK_FLAG_LATE_DAYS: '15',
        EARMARK_FLAG_CLAWBACK_DAYS: '60',
        EARMARK_FLAG_ENROLMENT_MIN_PERCENT: '90',
        EARMARK_FLAG_ON_TIME_MIN_PERCENT: '97.5',
        EARMARK_FLAG_MIN_STANDARD_YUAN: '200.00',
        EARMARK_FLAG_SATISFACTION_MIN_PERCENT: '100',
      }),
    ).toEqual({
      latePassDownDays: 15,
      clawbackOpenDays: 60,
      enrolmentRateMinPercent: 90,
      onTimeRateMinPercent: 97.5,
      minimumStandardFen: 20000n,
      satisfactionMinPercent: 100,
    });
  });

  it('stops on a malformed value rather than flag against a limit nobody meant', () => {
    expect(() => flagThresholdsFromEnv({ EARMARK_FLAG_LATE_DAYS: '30d' })).toThrow('EARMARK_FLAG_LATE_DAYS must be a whole number of days');
    expect(() => flagThresholdsFromEnv({ EARMARK_FLAG_ON_TIME_MIN_PERCENT: '101' })).toThrow('EARMARK_FLAG_ON_TIME_MIN_PERCENT must be a percentage');
    expect(() => flagThresholdsFromEnv({ EARMARK_FLAG_MIN_STANDARD_YUAN: '0' })).toThrow('EARMARK_FLAG_MIN_STANDARD_YUAN must be more than 0');
  });
});
