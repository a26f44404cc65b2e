import { regionFigures, type PassDownRecorded, type RecordPassDown } from '../src';
import { fiscalYear, given, now, actor, programCode, seedPreAllocation, chengduSettled } from './support/fund-spec';

const passDown = (overrides: Partial<RecordPassDown['data']> = {}): RecordPassDown => ({
  type: 'RecordPassDown',
  data: {
    programCode,
    fiscalYear,
    regionCode: '510100',
    documentNo: '成财社〔2024〕8号',
    passedOn: '2024-02-01',
    totalFen: '30000000',
    lines: [
      { regionCode: '510104', amountFen: '10000000' },
      { regionCode: '510105', amountFen: '20000000' },
    ],
    ...overrides,
  },
  metadata: { actor, now, commandId: 'cmd-pd' },
});

const passedDown = (overrides: Partial<RecordPassDown['data']> = {}): PassDownRecorded => ({
  type: 'PassDownRecorded',
  data: { ...passDown(overrides).data, afterSettlement: false },
});

describe('RecordPassDown: a 市 document to several of its districts', () => {
  it('debits the 市 by the total and credits each district, in one event', () => {
    const state = given(seedPreAllocation()).when(passDown()).then([passedDown()]);

    expect(regionFigures(state, '510100')).toMatchObject({ passedDownFen: 30000000n, availableFen: 225660000n });
    expect(regionFigures(state, '510104')).toMatchObject({ receivedFen: 10000000n, availableFen: 10000000n });
    expect(regionFigures(state, '510105')).toMatchObject({ receivedFen: 20000000n, availableFen: 20000000n });
  });

  it('refuses a line to a 扩权县 the province pays directly (荣县 from 自贡市)', () => {
    given(seedPreAllocation())
      .when(passDown({ regionCode: '510300', totalFen: '10000', lines: [{ regionCode: '510321', amountFen: '10000' }] }))
      .thenRefuses({ code: 'not-a-child-region', regionCode: '510300' });
  });

  it('refuses lines that do not sum to the total', () => {
    given(seedPreAllocation())
      .when(passDown({ totalFen: '30000001' }))
      .thenRefuses({
        code: 'total-mismatch',
        regionCode: '510100',
        detail: 'lines sum to 300,000.00 元, total says 300,000.01 元: differs by 0.01 元',
      });
  });

  it('refuses more than the 市 holds', () => {
    given(seedPreAllocation())
      .when(
        passDown({
          totalFen: '255660001',
          lines: [
            { regionCode: '510104', amountFen: '255660000' },
            { regionCode: '510105', amountFen: '1' },
          ],
        }),
      )
      .thenRefuses({ code: 'insufficient-funds', regionCode: '510100', detail: 'available 2556600.00 元' });
  });

  it('refuses a document number already used', () => {
    given(seedPreAllocation(), passedDown())
      .when(passDown())
      .thenRefuses({ code: 'duplicate-document', regionCode: '510100' });
  });

  it('refuses a 市 whose year is settled and holds no top-up money', () => {
    given(seedPreAllocation(), chengduSettled())
      .when(passDown({ passedOn: '2025-04-01' }))
      .thenRefuses({ code: 'year-settled', regionCode: '510100' });
  });
});
