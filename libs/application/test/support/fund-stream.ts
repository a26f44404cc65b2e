import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject, NewEvent } from '@earmark/event-store';

/**
 * A fund's events written straight to a store, for the tests of the views that read its stream: a
 * pre-allocation of 1,000,000.00 元 to each of 成都 and 自贡, and beneficiary payments of one person.
 */
export function allocationEvent(programCode: string, fiscalYear: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'AllocationRecorded',
    metadata: { actor: 'finance-sichuan' },
    data: {
      documentNo: `川财社〔2024〕2号 ${programCode}`,
      title: 'test',
      kind: 'pre-allocation',
      programCode,
      programName: 'test',
      fiscalYear,
      issuedOn: '2024-01-18',
      issuerRegionCode: '510000',
      incomeSubject: '1100299',
      expenditureSubject: '2083001',
      totalFen: '200000000',
      lines: [
        { regionCode: '510100', amountFen: '100000000' },
        { regionCode: '510300', amountFen: '100000000' },
      ],
    },
  };
}

let voucher = 0;

export function paymentEvent(programCode: string, fiscalYear: number, regionCode: string, amountFen: string, paidOn: string): NewEvent {
  voucher += 1;
  const data: JsonObject = {
    disbursementId: randomUUID(),
    programCode,
    fiscalYear,
    regionCode,
    kind: 'beneficiary-payment',
    amountFen,
    paidOn,
    voucherNo: `V-${voucher}`,
    expenditureSubject: '2083001',
    beneficiaries: 1,
    afterSettlement: false,
  };
  return { id: randomUUID(), type: 'DisbursementRecorded', metadata: { actor: 'finance-city' }, data };
}

/** The store as it is, with each event read from `streamName` reported to `counted`. */
export function countingStreamReads(store: EventStore, streamName: string, counted: (events: number) => void): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<EventStore['readStream']>) => {
        const page = await target.readStream(...args);
        if (args[0] === streamName) counted(page.length);
        return page;
      };
    },
  });
}
