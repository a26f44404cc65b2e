import { FundLog, flagsOf } from '../support/fund-log';

/**
 * What a settlement left to do, and where the books disagree with it, over the subtree it closed:
 * a top-up not sent or a claw-back not returned after 90 days, persons settled ≠ persons paid,
 * paid > entitled, money left that the claw-back does not take back.
 */
describe('settlement-variance', () => {
  describe('a top-up owed and not sent', () => {
    it('is flagged on day 91 after the settlement, with the top-ups sent so far', () => {
      const log = new FundLog();
      log.allocation([['510400', '204700.00']]);
      log.payment('510400', '204700.00', 2047, '2024-06-01');
      const settlement = log.settlement('510400', [{ persons: 2100, perPerson: '100.00' }]);
      const topUp = log.allocation([['510400', '3000.00']], { kind: 'top-up', issuedOn: '2025-04-15', documentNo: '川财社〔2025〕20号' });

      expect(flagsOf(log, 'settlement-variance', '2025-06-29')).toEqual([]);
      expect(flagsOf(log, 'settlement-variance', '2025-06-30')).toEqual([
        {
          rule: 'settlement-variance',
          regionCode: '510400',
          severity: 'warning',
          detail: 'top-up of 5300.00 元 settled by 川财社〔2025〕9号 on 2025-03-31: 2300.00 元 not sent after 91 days',
          since: '2025-06-30',
          threshold: 'top-up sent within 90 days',
          evidence: [settlement, topUp],
        },
      ]);
    });
  });

  describe('a claw-back not returned', () => {
    it('is flagged on day 91 after the settlement, with the repayments so far', () => {
      const log = new FundLog();
      log.allocation([['510400', '204700.00']]);
      log.payment('510400', '200000.00', 2000, '2024-06-01');
      const settlement = log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }]);
      const repayment = log.returned('510400', '1000.00', '2025-04-01');

      expect(flagsOf(log, 'settlement-variance', '2025-06-30')).toEqual([
        {
          rule: 'settlement-variance',
          regionCode: '510400',
          severity: 'warning',
          detail: 'claw-back of 4700.00 元 settled by 川财社〔2025〕9号 on 2025-03-31: 3700.00 元 not returned after 91 days',
          since: '2025-06-30',
          threshold: 'claw-back returned within 90 days',
          evidence: [settlement, repayment.position],
        },
      ]);
    });

    it('counts a reversed repayment as not returned, and a full one as settled', () => {
      const log = new FundLog();
      log.allocation([['510400', '204700.00']]);
      log.payment('510400', '200000.00', 2000, '2024-06-01');
      log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }]);
      const repayment = log.returned('510400', '4700.00', '2025-04-01');
      log.reversal(repayment, '2025-04-03');

      expect(flagsOf(log, 'settlement-variance', '2025-07-01').map((flag) => flag.detail)).toEqual([
        'claw-back of 4700.00 元 settled by 川财社〔2025〕9号 on 2025-03-31: 4700.00 元 not returned after 92 days',
      ]);

      log.returned('510400', '4700.00', '2025-04-05');
      expect(flagsOf(log, 'settlement-variance', '2025-12-31')).toEqual([]);
    });
  });

  describe('persons settled ≠ persons recorded as paid', () => {
    it("counts the persons paid in the city and its districts, as of the settlement's day", () => {
      const log = new FundLog();
      log.allocation([['510100', '10000.00']]);
      log.passDown('510100', '510104', '6000.00', '2024-02-01');
      const district = log.payment('510104', '5500.00', 50, '2024-03-01');
      const city = log.payment('510100', '4000.00', 40, '2024-03-02');
      const settlement = log.settlement('510100', [
        { persons: 60, perPerson: '100.00' },
        { persons: 35, perPerson: '100.00' },
      ]);

      expect(flagsOf(log, 'settlement-variance', '2025-04-01')).toEqual([
        {
          rule: 'settlement-variance',
          regionCode: '510100',
          severity: 'warning',
          detail: 'settlement 川财社〔2025〕9号 settled 95 persons; payments in 510100 and the districts it funds record 90, 5 fewer',
          since: '2025-03-31',
          threshold: 'persons settled = persons paid',
          evidence: [settlement, district.position, city.position],
        },
      ]);
    });

    it('waits while top-up money is still to be sent or spent, since it pays for the persons missing', () => {
      const log = new FundLog();
      log.allocation([['510400', '1000.00']]);
      const before = log.payment('510400', '1000.00', 10, '2024-06-01');
      const settlement = log.settlement('510400', [{ persons: 12, perPerson: '100.00' }]);
      log.allocation([['510400', '200.00']], { kind: 'top-up', issuedOn: '2025-04-10', documentNo: '川财社〔2025〕20号' });
      expect(flagsOf(log, 'settlement-variance', '2025-04-15')).toEqual([]);

      const after = log.payment('510400', '200.00', 1, '2025-04-20');
      expect(flagsOf(log, 'settlement-variance', '2025-04-20')).toEqual([
        expect.objectContaining({
          detail: 'settlement 川财社〔2025〕9号 settled 12 persons; payments in 510400 and the districts it funds record 11, 1 fewer',
          since: '2025-03-31',
          evidence: [settlement, before.position, after.position],
        }),
      ]);
    });

    it('flags more persons paid than settled at once', () => {
      const log = new FundLog();
      log.allocation([['510400', '1000.00']]);
      log.payment('510400', '1000.00', 12, '2024-06-01');
      log.settlement('510400', [{ persons: 10, perPerson: '100.00' }]);

      expect(flagsOf(log, 'settlement-variance', '2025-03-31').map((flag) => flag.detail)).toEqual([
        'settlement 川财社〔2025〕9号 settled 10 persons; payments in 510400 and the districts it funds record 12, 2 more',
      ]);
    });
  });

  describe('paid > entitled', () => {
    it('is critical, anchored on the payment that went past the entitlement', () => {
      const log = new FundLog();
      log.allocation([['510400', '1000.00']]);
      const first = log.payment('510400', '600.00', 6, '2024-03-01');
      const crossing = log.payment('510400', '400.00', 4, '2024-04-01');
      const settlement = log.settlement('510400', [{ persons: 10, perPerson: '80.00' }]);

      expect(flagsOf(log, 'settlement-variance', '2025-04-01')).toEqual([
        {
          rule: 'settlement-variance',
          regionCode: '510400',
          severity: 'critical',
          detail: 'payments in 510400 and the districts it funds total 1000.00 元, 200.00 元 more than the 800.00 元 entitled by settlement 川财社〔2025〕9号',
          since: '2025-03-31',
          threshold: 'paid ≤ entitled',
          evidence: [crossing.position, first.position, settlement],
        },
      ]);
    });
  });

  describe('money left that the claw-back does not take back', () => {
    it('is critical, anchored on the pre-allocation, with the receipts still holding money', () => {
      const log = new FundLog();
      const allocation = log.allocation([['510400', '204700.00']]);
      log.payment('510400', '199000.00', 2000, '2024-06-01');
      const settlement = log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }]);

      expect(flagsOf(log, 'settlement-variance', '2025-04-01')).toEqual([
        {
          rule: 'settlement-variance',
          regionCode: '510400',
          severity: 'critical',
          detail:
            '5700.00 元 from before settlement 川财社〔2025〕9号 is left in 510400 and the districts it funds, 4700.00 元 of it owed back: 1000.00 元 can be neither spent nor returned',
          since: '2025-03-31',
          threshold: 'nothing left beyond the claw-back',
          evidence: [allocation, settlement],
        },
      ]);
    });

    it('counts what a district still holds, and leaves top-up money still to be spent aside', () => {
      const log = new FundLog();
      const allocation = log.allocation([['510100', '1000.00']]);
      const passDown = log.passDown('510100', '510104', '500.00', '2024-02-01');
      log.payment('510100', '500.00', 5, '2024-03-01');
      log.payment('510104', '400.00', 5, '2024-03-01');
      // 11 persons settled: a top-up of 100.00, sent and not yet spent, beside the district's 100.00.
      const settlement = log.settlement('510100', [{ persons: 11, perPerson: '100.00' }]);
      log.allocation([['510100', '100.00']], { kind: 'top-up', issuedOn: '2025-04-01', documentNo: '川财社〔2025〕21号' });

      expect(flagsOf(log, 'settlement-variance', '2025-04-01').map((flag) => [flag.severity, flag.detail, flag.evidence])).toEqual([
        [
          'critical',
          '100.00 元 from before settlement 川财社〔2025〕9号 is left in 510100 and the districts it funds, 0.00 元 of it owed back: 100.00 元 can be neither spent nor returned',
          [allocation, passDown.position, settlement],
        ],
      ]);
    });
  });

  it('flags nothing for a settlement the books agree with, that nets a return made before it', () => {
    const log = new FundLog();
    log.allocation([['510400', '204700.00']]);
    log.payment('510400', '200000.00', 2000, '2024-06-01');
    log.returned('510400', '4700.00', '2024-12-31');
    log.settlement('510400', [{ persons: 2000, perPerson: '100.00' }]);

    expect(flagsOf(log, 'settlement-variance', '2025-12-31')).toEqual([]);
  });
});
