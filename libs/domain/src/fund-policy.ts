/** The configurable parts of the fund rules; the defaults are the ones API.md states. */
export interface FundPolicy {
  /**
   * Days after the fiscal year's last day during which a payment or pass-down is still recorded
   * (and flagged late-payment); later ones are refused before settlement.
   */
  readonly latePaymentGraceDays: number;
}

export const defaultFundPolicy: FundPolicy = { latePaymentGraceDays: 90 };

/** API.md's bound on a document; the edge enforces it first, the domain still refuses to exceed it. */
export const maxLinesPerDocument = 5_000;

/** The fiscal years a program-year may have, inclusive: API.md's bounds, the edge's and the importer's. */
export const minFiscalYear = 2000;
export const maxFiscalYear = 2100;

/** A program code as API.md writes it: lowercase letters, digits and hyphens, 2 to 64 of them. */
export const programCodePattern = /^[a-z0-9][a-z0-9-]{1,63}$/;

/** API.md's bound on a settlement's categories. */
export const maxSettlementCategories = 100;
