import { DisbursementIndex } from '../src/disbursement-index';

describe('the packed index of disbursements the balance replay keeps', () => {
  const uuid = (n: number) => `0190a1b2-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

  it('gives back every disbursement as recorded, past the first growth of its columns', () => {
    const index = new DisbursementIndex();
    for (let n = 0; n < 3000; n += 1) {
      index.add(uuid(n), `V-${n}`, {
        regionCode: n % 2 === 0 ? '510100' : '510104',
        kind: n % 3 === 0 ? 'beneficiary-payment' : n % 3 === 1 ? 'pass-down' : 'return',
        amountFen: BigInt(n + 1),
        paidOn: '2024-03-01',
        ...(n % 3 === 1 ? { toRegionCode: '510105' } : n % 3 === 2 ? { toParentRegionCode: '510000' } : {}),
        afterSettlement: n % 5 === 0,
      });
    }
    expect(index.get(uuid(2998))).toEqual({
      regionCode: '510100',
      kind: 'pass-down',
      amountFen: 2999n,
      paidOn: '2024-03-01',
      toRegionCode: '510105',
      afterSettlement: false,
      reversed: false,
    });
    expect(index.get(uuid(5))).toEqual({
      regionCode: '510104',
      kind: 'return',
      amountFen: 6n,
      paidOn: '2024-03-01',
      toParentRegionCode: '510000',
      afterSettlement: true,
      reversed: false,
    });
    index.markReversed(uuid(5));
    expect(index.get(uuid(5))?.reversed).toBe(true);
    expect(index.get(uuid(3000))).toBeNull();
  });

  it('keeps vouchers per region, and finds the recorded one when a claim differs', () => {
    const index = new DisbursementIndex();
    index.add('d-1', 'CD-1', { regionCode: '510100', kind: 'beneficiary-payment', amountFen: 9_007_199_254_740_993n, paidOn: '2024-12-31', afterSettlement: false });
    expect(index.hasVoucher('510100', 'CD-1')).toBe(true);
    expect(index.hasVoucher('510104', 'CD-1')).toBe(false);
    expect(index.voucherMatches('d-1', 'CD-1')).toBe(true);
    expect(index.voucherMatches('d-1', 'CD-2')).toBe(false);
    expect(index.voucherOf('d-1')).toBe('CD-1');
    // An amount past 2^53 分 is kept exactly.
    expect(index.get('d-1')?.amountFen).toBe(9_007_199_254_740_993n);
  });

  it('never confuses an id written as a UUID with one that is not', () => {
    const index = new DisbursementIndex();
    index.add(uuid(1), 'A', { regionCode: '510100', kind: 'beneficiary-payment', amountFen: 1n, paidOn: '2024-03-01', afterSettlement: false });
    expect(index.has(uuid(1))).toBe(true);
    expect(index.has(uuid(1).toUpperCase())).toBe(false);
    expect(index.has(uuid(1).replace(/-/g, ''))).toBe(false);
  });
});
