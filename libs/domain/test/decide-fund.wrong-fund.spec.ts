import { evolveFund, initialFundState } from '../src';
import { given, recordDisbursement, seedPreAllocation } from './support/fund-spec';

/** A command or event of another fund reaching this state is a routing bug, not a rule refusal. */
describe('decideFund and evolveFund: a message of another fund', () => {
  it('decideFund fails on a command for another fiscal year', () => {
    const command = recordDisbursement({ disbursementId: 'd-1', regionCode: '510100', amountFen: '10000' });
    given(seedPreAllocation())
      .when({ ...command, data: { ...command.data, fiscalYear: 2025 } })
      .thenFails(/^RecordDisbursement for sc-pension-contribution-subsidy 2025 decided against .* 2024$/);
  });

  it('evolveFund fails on an event of another program', () => {
    const state = initialFundState('another-program', 2024);
    expect(() => evolveFund(state, seedPreAllocation())).toThrow(
      'event AllocationRecorded of sc-pension-contribution-subsidy 2024 folded into another-program 2024',
    );
  });
});
