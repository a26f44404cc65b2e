import { commandScopeRefusal, initialFundState, type FundCommand, type KeyHolder } from '../src';
import {
  disbursementRecorded,
  foldFund,
  lines,
  now,
  recordAllocation,
  recordDisbursement,
  registry,
  reverseDisbursement,
  seedPreAllocation,
  settleRegionYear,
} from './support/fund-spec';

const finance = (...regions: string[]): KeyHolder => ({ name: `key-${regions.join('-')}`, role: 'finance', regions });
const asKey = (holder: KeyHolder, command: FundCommand): FundCommand => ({
  ...command,
  metadata: { actor: { name: holder.name, role: holder.role }, now, commandId: 'cmd-scope' },
});

describe('command scope: a key acts along the funding tree', () => {
  const funded = foldFund([seedPreAllocation()]);

  it.each([
    ['510100', '510100', null],
    ['510100', '510105', null],
    ['510300', '510302', null],
    // 荣县 and 富顺县 are 扩权县: the province funds them, 自贡 does not.
    ['510300', '510321', 'key key-510300 may not act for region 510321'],
    ['510300', '510322', 'key key-510300 may not act for region 510322'],
    ['510100', '510300', 'key key-510100 may not act for region 510300'],
    ['510000', '510321', null],
    ['*', '510321', null],
  ])('key %s paying from %s: %s', (held, regionCode, expected) => {
    const key = finance(held);
    const payment = asKey(key, recordDisbursement({ disbursementId: 'd', regionCode, amountFen: '100' }));
    expect(commandScopeRefusal(key, payment, funded, registry)).toBe(expected);
  });

  it.each([
    ['510000', '510100', null],
    ['*', '510000', null],
    ['510100', '510100', 'key key-510100 may not record allocation documents: that needs a key covering the funding root 510000'],
    ['510300', '510300', 'key key-510300 may not record allocation documents: that needs a key covering the funding root 510000'],
    // An unknown issuer goes on to the decider (unknown-region) only with a key covering the root.
    ['510100', '519999', 'key key-510100 may not record allocation documents: that needs a key covering the funding root 510000'],
    ['510000', '519999', null],
  ])('key %s recording an allocation document issued by %s: %s', (held, issuer, expected) => {
    const key = finance(held);
    const document = asKey(key, recordAllocation({ issuerRegionCode: issuer, lines: lines(['510104', '100']) }));
    expect(commandScopeRefusal(key, document, initialFundState('sc-pension-contribution-subsidy', 2024), registry)).toBe(expected);
  });

  it('settlements need the root: 自贡 settling itself or 荣县 is refused', () => {
    const key = finance('510300');
    for (const regionCode of ['510300', '510321']) {
      expect(commandScopeRefusal(key, asKey(key, settleRegionYear(regionCode, [[1, '10000']])), funded, registry)).toBe(
        'key key-510300 may not record settlements: that needs a key covering the funding root 510000',
      );
    }
  });

  it('a reversal needs the key of the region that paid, found on the fund, not in the request', () => {
    const paid = foldFund([seedPreAllocation(), disbursementRecorded({ disbursementId: 'd-1', regionCode: '510321', amountFen: '100' })]);
    const reversal = (key: KeyHolder) => asKey(key, reverseDisbursement('d-1'));
    expect(commandScopeRefusal(finance('510300'), reversal(finance('510300')), paid, registry)).toBe('key key-510300 may not act for region 510321');
    expect(commandScopeRefusal(finance('510000'), reversal(finance('510000')), paid, registry)).toBeNull();
    // An unknown disbursement names no region: the decider answers not-found.
    const unknown = asKey(finance('510300'), reverseDisbursement('d-404'));
    expect(commandScopeRefusal(finance('510300'), unknown, paid, registry)).toBeNull();
  });

  it('an operator key sends no command, whatever its regions', () => {
    const operator: KeyHolder = { name: 'op', role: 'operator', regions: ['*'] };
    const payment = asKey(operator, recordDisbursement({ disbursementId: 'd', regionCode: '510100', amountFen: '100' }));
    expect(commandScopeRefusal(operator, payment, funded, registry)).toBe('role operator may not send commands');
  });
});
