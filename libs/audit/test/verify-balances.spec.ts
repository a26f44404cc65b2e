import { verifyLedger } from '@earmark/audit';
import {
  allocation,
  chain,
  fundStream,
  passDown,
  payment,
  registry,
  returnUp,
  reversal,
  type Fact,
} from './support/ledger-fixture';

/** Every log here is validly chained: only the independent replay of the money can object. */
function verdict(facts: readonly Fact[]) {
  const report = verifyLedger({ events: chain(facts), registry });
  return { firstBadPosition: report.firstBadPosition, checkedThrough: report.checkedThrough, reason: report.reason, checks: report.checks };
}

const failedAt = (position: bigint, reason: string) => ({
  firstBadPosition: position,
  checkedThrough: position - 1n,
  reason,
  checks: { chain: 'passed', merkle: 'skipped', signature: 'skipped', balances: 'failed' },
});

const chengdu = allocation('川财社〔2024〕2号', [['510100', 100_000n]]);

describe('the independent replay of balances', () => {
  it('refuses an overdraft', () => {
    expect(verdict([chengdu, payment('510100', 60_000n, { id: 'd-1' }), payment('510100', 50_000n, { id: 'd-2' })])).toEqual(
      failedAt(3n, 'position 3: 510100 would hold -100.00 元'),
    );
  });

  it('refuses a payment under another subject than the fund is earmarked for', () => {
    expect(verdict([chengdu, payment('510100', 10_000n, { id: 'd-1', expenditureSubject: '2080505' })])).toEqual(
      failedAt(2n, `position 2: 510100 pays under subject 2080505, but ${fundStream} is earmarked for 2083001`),
    );
  });

  it('refuses an allocation whose lines do not sum to its total', () => {
    const short = allocation('川财社〔2024〕2号', [['510100', 100_000n], ['510300', 50_000n]], { totalFen: 150_001n });
    expect(verdict([short])).toEqual(
      failedAt(1n, 'position 1: document 川财社〔2024〕2号\'s lines sum to 1500.00 元, its total says 1500.01 元'),
    );
  });

  it('refuses a later allocation under other subjects', () => {
    const other = allocation('川财社〔2024〕7号', [['510300', 50_000n]], { expenditureSubject: '2080505' });
    expect(verdict([chengdu, other])).toEqual(
      failedAt(2n, `position 2: document 川财社〔2024〕7号 uses subjects 1100299/2080505, but ${fundStream} is earmarked for 1100299/2083001`),
    );
  });

  it('refuses an allocation line to a region that is not a direct recipient of the issuer', () => {
    expect(verdict([allocation('川财社〔2024〕2号', [['510104', 100_000n]])])).toEqual(
      failedAt(1n, 'position 1: 510104 does not receive money from 510000 directly'),
    );
  });

  it('refuses a document number recorded twice', () => {
    expect(verdict([chengdu, chengdu])).toEqual(failedAt(2n, 'position 2: document 川财社〔2024〕2号 is recorded twice'));
  });

  it('refuses a pass-down across cities', () => {
    expect(verdict([chengdu, passDown('510100', '510302', 10_000n, { id: 'd-1' })])).toEqual(
      failedAt(2n, 'position 2: 510100 passes money to 510302, which is not its child'),
    );
  });

  it('refuses a pass-down to a county the province pays directly', () => {
    const zigong = allocation('川财社〔2024〕2号', [['510300', 100_000n]]);
    expect(verdict([zigong, passDown('510300', '510321', 10_000n, { id: 'd-1' })])).toEqual(
      failedAt(2n, 'position 2: 510300 passes money to 510321, which the province pays directly'),
    );
  });

  it('refuses a return to another region than the one the money came from', () => {
    const facts = [chengdu, passDown('510100', '510104', 50_000n, { id: 'd-1' }), returnUp('510104', '510000', 10_000n, { id: 'd-2' })];
    expect(verdict(facts)).toEqual(
      failedAt(3n, 'position 3: 510104 returns money to 510000, but its money comes from 510100'),
    );
  });

  it('refuses to reverse a pass-down the child has already spent', () => {
    const handed = passDown('510100', '510104', 50_000n, { id: 'd-1' });
    const facts = [chengdu, handed, payment('510104', 30_000n, { id: 'd-2' }), reversal(handed)];
    expect(verdict(facts)).toEqual(failedAt(4n, 'position 4: 510104 would hold -300.00 元'));
  });

  it('refuses a reversal that misstates what it reverses, or comes twice', () => {
    const paid = payment('510100', 30_000n, { id: 'd-1' });
    const misstated: Fact = { ...reversal(paid), data: { ...reversal(paid).data, amountFen: '3000' } };
    expect(verdict([chengdu, paid, misstated])).toEqual(
      failedAt(3n, 'position 3: the reversal of d-1 says amountFen 3000, the disbursement says 30000'),
    );
    expect(verdict([chengdu, paid, reversal(paid), reversal(paid)])).toEqual(
      failedAt(4n, 'position 4: disbursement d-1 is reversed twice'),
    );
  });

  it('refuses a voucher number used twice by one region', () => {
    const facts = [
      chengdu,
      payment('510100', 100n, { id: 'd-1', voucherNo: 'CD-1' }),
      payment('510100', 100n, { id: 'd-2', voucherNo: 'CD-1' }),
    ];
    expect(verdict(facts)).toEqual(failedAt(3n, 'position 3: voucher CD-1 of 510100 is recorded twice'));
  });

  it('refuses money recorded outside a fund stream', () => {
    const stray: Fact = { ...payment('510100', 100n, { id: 'd-1' }), streamName: 'document-川财社〔2024〕2号' };
    expect(verdict([chengdu, stray])).toEqual(
      failedAt(2n, 'position 2: DisbursementRecorded outside a fund stream (in document-川财社〔2024〕2号) moves money nobody books'),
    );
  });

  it('refuses a payment by a region that never received money', () => {
    expect(verdict([chengdu, payment('510300', 100n, { id: 'd-1' })])).toEqual(
      failedAt(2n, `position 2: 510300 holds no account in ${fundStream}`),
    );
  });
});
