import { lines, given, recordAllocation } from './support/fund-spec';

/** The edge checks shape; a malformed command reaching the domain is a bug, not a refusal. */
describe('RecordAllocation: a command the edge should have stopped', () => {
  it('fails on a document with no lines', () => {
    given().when(recordAllocation({ totalFen: '0', lines: [] })).thenFails(/1 to 5000 lines, not 0/);
  });

  it('fails on a region named twice', () => {
    given()
      .when(recordAllocation({ lines: lines(['510100', '1'], ['510100', '2']) }))
      .thenFails(/names 510100 twice/);
  });

  it('fails on a line that is not positive', () => {
    given()
      .when(recordAllocation({ lines: lines(['510100', '0']) }))
      .thenFails(/line for 510100 is not positive/);
  });

  it('fails on more lines than a document may hold', () => {
    const tooMany = Array.from({ length: 5001 }, (_, i) => ({ regionCode: String(600000 + i), amountFen: '1' }));
    given().when(recordAllocation({ lines: tooMany })).thenFails(/1 to 5000 lines, not 5001/);
  });
});
