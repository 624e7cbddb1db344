/** One problem found in an input, named by the path of the field it concerns (`carModels[2].dailyRate`). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * Base of every business refusal. `code` is stable (`PRICING.COUPON_EXPIRED`) and is what clients and the
 * error catalog rely on; the message is for people. No transport status here: each adapter maps codes
 * to its own statuses in one place.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly issues: readonly FieldIssue[];

  constructor(message: string, issues: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.issues = issues;
  }
}
