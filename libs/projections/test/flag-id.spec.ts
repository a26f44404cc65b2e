import { flagId, parseFlagId } from '@earmark/projections';

/** A flag's id names rule, region and subject (docs/flags.md); parseFlagId reads them back. */
describe('flag ids', () => {
  it('reads back what flagId writes, with the position a subject names', () => {
    expect(parseFlagId(flagId('late-pass-down', '510100', 'lot-1'))).toEqual({ rule: 'late-pass-down', regionCode: '510100', subject: 'lot-1', position: 1n });
    expect(parseFlagId(flagId('headcount-mismatch', '510104', 'payment-445207'))).toEqual({
      rule: 'headcount-mismatch',
      regionCode: '510104',
      subject: 'payment-445207',
      position: 445207n,
    });
    expect(parseFlagId(flagId('refused-attempt', '', 'refusal-30'))).toEqual({ rule: 'refused-attempt', regionCode: '', subject: 'refusal-30', position: 30n });
    // A refusal naming a code outside the registry's form is written with `-` too.
    expect(parseFlagId(flagId('refused-attempt', 'abc', 'refusal-31'))?.regionCode).toBe('');
    expect(parseFlagId('spending-pace:510100:account')).toEqual({ rule: 'spending-pace', regionCode: '510100', subject: 'account', position: null });
    expect(parseFlagId('settlement-variance:510300:open-claw-back')?.position).toBeNull();
  });

  it('leaves off a repeat and reads its subject', () => {
    expect(parseFlagId('late-pass-down:510100:lot-7.2')).toEqual({ rule: 'late-pass-down', regionCode: '510100', subject: 'lot-7', position: 7n });
  });

  it('gives null for anything not of its shape, and no position for position 0', () => {
    for (const id of ['', 'not a flag id', 'late-pass-down:5101:lot-1', 'late-pass-down:510100', 'LATE:510100:lot-1', 'late-pass-down:510100:lot-1.x']) {
      expect([id, parseFlagId(id)]).toEqual([id, null]);
    }
    expect(parseFlagId('late-pass-down:510100:lot-0')?.position).toBeNull();
  });
});
