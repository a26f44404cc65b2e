import {
  allocation,
  passDownDocument,
  payment,
  returnUp,
  reversal,
  settlement,
  topUp,
  withData,
  withoutField,
} from './support/ledger-fixture';
import { failedAt, passedThrough, verdict } from './support/verdict';

/**
 * Invariant 4: once a 市(州) or 扩权县 is settled, in it and in every 区/县 it funds money moves
 * only as the settlement's top-up (paid out or passed down) or upward towards its claw-back.
 */
describe('a settled subtree is closed', () => {
  const seed = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510300', 80_000n], ['510321', 50_000n]]);
  const handedDown = passDownDocument('510100', '成财社〔2024〕5号', [['510104', 40_000n]]);
  // Chengdu: entitled 1100.00 元 against 1000.00 元, a top-up of 100.00 元 owed.
  const chengduTopUpOwed = settlement('510100', { actuals: [['dibao', 11, 10_000n]], preAllocatedFen: 100_000n });
  const chengduTopUp = topUp('川财社〔2025〕12号', [['510100', 10_000n]]);
  // Zigong: entitled 700.00 元 against 800.00 元, a claw-back of 100.00 元 owed.
  const zigongClawBackOwed = settlement('510300', { actuals: [['dibao', 7, 10_000n]], preAllocatedFen: 80_000n });
  const after = { paidOn: '2025-04-20', afterSettlement: true };

  describe('spending', () => {
    it('refuses a district paying out its city’s money after the city was settled', () => {
      const districtPays = payment('510104', 10_000n, { id: 'd-1', ...after });
      expect(verdict([seed, handedDown, chengduTopUpOwed, districtPays])).toEqual(
        failedAt(
          4n,
          'position 4: settled is closed: after the settlement of 510100 on 2025-03-31, 510104 may spend only top-up money received since (0.00 元 left); payment d-1 spends 100.00 元',
        ),
      );
    });

    it('lets the top-up be passed down and paid out, and no more', () => {
      const facts = [
        seed,
        handedDown,
        chengduTopUpOwed,
        chengduTopUp,
        passDownDocument('510100', '成财社〔2025〕3号', [['510104', 6_000n]], { passedOn: '2025-04-15', afterSettlement: true }),
        payment('510100', 4_000n, { id: 'd-1', ...after }),
        payment('510104', 6_000n, { id: 'd-2', ...after }),
      ];
      expect(verdict(facts)).toEqual(passedThrough(7n));
      expect(verdict([...facts, payment('510100', 1n, { id: 'd-3', ...after })])).toEqual(
        failedAt(
          8n,
          'position 8: settled is closed: after the settlement of 510100 on 2025-03-31, 510100 may spend only top-up money received since (0.00 元 left); payment d-3 spends 0.01 元',
        ),
      );
    });

    it('refuses a city paying out more than the top-up, though it still holds older money', () => {
      expect(verdict([seed, chengduTopUpOwed, chengduTopUp, payment('510100', 12_000n, { id: 'd-1', ...after })])).toEqual(
        failedAt(
          4n,
          'position 4: settled is closed: after the settlement of 510100 on 2025-03-31, 510100 may spend only top-up money received since (100.00 元 left); payment d-1 spends 120.00 元',
        ),
      );
    });

    it('refuses a pass-down document handing on older money after the settlement', () => {
      const document = passDownDocument('510100', '成财社〔2025〕3号', [['510105', 5_000n]], { passedOn: '2025-04-15', afterSettlement: true });
      expect(verdict([seed, chengduTopUpOwed, document])).toEqual(
        failedAt(
          3n,
          'position 3: settled is closed: after the settlement of 510100 on 2025-03-31, 510100 may spend only top-up money received since (0.00 元 left); pass-down document 成财社〔2025〕3号 spends 50.00 元',
        ),
      );
    });

    it('leaves a 扩权县 open when its 市 is settled: the province funds it, not the city', () => {
      expect(verdict([seed, zigongClawBackOwed, payment('510321', 10_000n, { id: 'd-1', paidOn: '2025-03-31' })])).toEqual(
        passedThrough(3n),
      );
    });
  });

  describe('returning', () => {
    it('refuses a return beyond the claw-back', () => {
      expect(verdict([seed, zigongClawBackOwed, returnUp('510300', '510000', 12_000n, { id: 'd-1', ...after })])).toEqual(
        failedAt(3n, 'position 3: settled is closed: the return of 120.00 元 exceeds 510300\'s outstanding claw-back of 100.00 元'),
      );
    });

    it('counts what was already repaid, and owes again what a reversal took back', () => {
      const repaid = returnUp('510300', '510000', 6_000n, { id: 'd-1', ...after });
      expect(verdict([seed, zigongClawBackOwed, repaid, returnUp('510300', '510000', 5_000n, { id: 'd-2', ...after })])).toEqual(
        failedAt(4n, 'position 4: settled is closed: the return of 50.00 元 exceeds 510300\'s outstanding claw-back of 40.00 元'),
      );
      const cancelled = reversal(repaid, { reversedOn: '2025-04-21' });
      const again = returnUp('510300', '510000', 10_000n, { id: 'd-2', ...after, paidOn: '2025-04-22' });
      expect(verdict([seed, zigongClawBackOwed, repaid, cancelled, again])).toEqual(passedThrough(5n));
    });

    it('refuses a return from a region whose settlement owes it a top-up', () => {
      expect(verdict([seed, chengduTopUpOwed, returnUp('510100', '510000', 1_000n, { id: 'd-1', ...after })])).toEqual(
        failedAt(3n, 'position 3: settled is closed: the return of 10.00 元 exceeds 510100\'s outstanding claw-back of 0.00 元'),
      );
    });

    it('refuses a district returning money to a city that owes no claw-back', () => {
      expect(verdict([seed, handedDown, chengduTopUpOwed, returnUp('510104', '510100', 10_000n, { id: 'd-1', ...after })])).toEqual(
        failedAt(4n, 'position 4: settled is closed: 510104 returns 100.00 元 to 510100, which owes no claw-back'),
      );
    });

    it('lets a district return only what its city still lacks to repay the claw-back', () => {
      const cityPaysTheRest = payment('510100', 60_000n, { id: 'd-1' });
      // Entitled 800.00 元 against 1000.00 元: a claw-back of 200.00 元, and the city holds nothing.
      const chengduClawBackOwed = settlement('510100', { actuals: [['dibao', 8, 10_000n]], preAllocatedFen: 100_000n });
      const facts = [
        seed,
        handedDown,
        cityPaysTheRest,
        chengduClawBackOwed,
        returnUp('510104', '510100', 15_000n, { id: 'd-2', ...after }),
        returnUp('510100', '510000', 15_000n, { id: 'd-3', ...after }),
      ];
      expect(verdict(facts)).toEqual(passedThrough(6n));
      expect(verdict([...facts, returnUp('510104', '510100', 10_000n, { id: 'd-4', ...after })])).toEqual(
        failedAt(7n, 'position 7: settled is closed: 510104 returns 100.00 元, but 510100 needs only 50.00 元 more to repay its claw-back of 50.00 元'),
      );
    });
  });

  describe('reversing', () => {
    it('refuses to reverse, after the settlement, a payment the settlement already counts', () => {
      const paid = payment('510104', 10_000n, { id: 'd-1' });
      expect(verdict([seed, handedDown, paid, chengduTopUpOwed, reversal(paid, { reversedOn: '2025-04-01' })])).toEqual(
        failedAt(
          5n,
          'position 5: settled is closed: d-1 was recorded before the settlement of 510100, which already counts it, so it cannot be reversed after',
        ),
      );
    });

    it('lets a payment of top-up money be reversed, and the money spent again', () => {
      const paid = payment('510100', 10_000n, { id: 'd-1', ...after });
      const facts = [
        seed,
        chengduTopUpOwed,
        chengduTopUp,
        paid,
        reversal(paid, { reversedOn: '2025-04-21' }),
        payment('510100', 10_000n, { id: 'd-2', ...after, paidOn: '2025-04-22' }),
      ];
      expect(verdict(facts)).toEqual(passedThrough(6n));
    });
  });

  describe('the afterSettlement flag', () => {
    it('refuses a payment in a closed subtree that says it was made before settlement', () => {
      const unflagged = payment('510100', 5_000n, { id: 'd-1', paidOn: '2025-04-15', afterSettlement: false });
      expect(verdict([seed, chengduTopUpOwed, chengduTopUp, unflagged])).toEqual(
        failedAt(4n, 'position 4: payment d-1 says afterSettlement false, but 510100\'s subtree was closed by the settlement of 510100'),
      );
    });

    it('refuses a payment in an open region that says it was made after settlement', () => {
      expect(verdict([seed, payment('510100', 5_000n, { id: 'd-1', afterSettlement: true })])).toEqual(
        failedAt(2n, 'position 2: payment d-1 says afterSettlement true, but 510100\'s subtree is open'),
      );
    });

    it('refuses a pass-down document in a closed subtree that says it was made before settlement', () => {
      const unflagged = passDownDocument('510100', '成财社〔2025〕3号', [['510104', 5_000n]], { passedOn: '2025-04-15' });
      expect(verdict([seed, chengduTopUpOwed, chengduTopUp, unflagged])).toEqual(
        failedAt(
          4n,
          'position 4: pass-down document 成财社〔2025〕3号 says afterSettlement false, but 510100\'s subtree was closed by the settlement of 510100',
        ),
      );
    });

    it('refuses a reversal whose flag differs from its disbursement’s', () => {
      const paid = payment('510100', 10_000n, { id: 'd-1', ...after });
      const misflagged = withData(reversal(paid, { reversedOn: '2025-04-21' }), { afterSettlement: false });
      expect(verdict([seed, chengduTopUpOwed, chengduTopUp, paid, misflagged])).toEqual(
        failedAt(5n, 'position 5: the reversal of d-1 says afterSettlement false, the disbursement says true'),
      );
    });

    it('reads a missing flag as false, as logs before settlements were closed wrote them', () => {
      const paid = withoutField(payment('510100', 10_000n, { id: 'd-1' }), 'afterSettlement');
      expect(verdict([seed, paid, withoutField(reversal(paid), 'afterSettlement')])).toEqual(passedThrough(3n));
    });
  });
});
