import { err, ok, type Result } from "@carfare/kit";
import { quoteWaiver, type WaiverOption, type WaiverQuoteRequest } from "../domain/quote-waiver.js";
import { type InvalidPeriodError, type InvalidRequestError, PolicyNotFoundError } from "../domain/waiver-errors.js";
import { CAR_CLASSES } from "../domain/waiver-policy.js";
import type { PolicyCatalog } from "./policy-catalog.js";
import type { Clock } from "./ports.js";
import { identifier, instant, integerIn, oneOf, refusal } from "./request-checks.js";

/** The oldest driver age and longest licence a request may state; beyond them a number is a mistake. */
const MAX_AGE = 120;
const MAX_LICENSE_YEARS = 100;

export interface WaiverQuoteInput extends WaiverQuoteRequest {
  readonly market: string;
}

/** The waiver products offered with one rental, priced by the policy version named here. */
export interface WaiverQuote {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly currency: string;
  readonly options: readonly WaiverOption[];
}

export interface QuoteWaiverOptionsDeps {
  readonly catalog: PolicyCatalog;
  readonly clock: Clock;
}

/**
 * Waiver quote use case (spec §2): checks the request, takes the market's policy version in effect now and
 * prices every product it sells for the car class. Served from memory; nothing is stored.
 */
export function quoteWaiverOptions(
  deps: QuoteWaiverOptionsDeps,
  input: WaiverQuoteInput,
): Result<WaiverQuote, InvalidRequestError | PolicyNotFoundError | InvalidPeriodError> {
  const invalid = refusal([
    identifier("market", input.market),
    oneOf("carClass", input.carClass, CAR_CLASSES),
    instant("startAt", input.startAt),
    instant("endAt", input.endAt),
    integerIn("driverAge", input.driverAge, 0, MAX_AGE),
    integerIn("licenseYears", input.licenseYears, 0, MAX_LICENSE_YEARS),
  ]);
  if (invalid !== undefined) return err(invalid);
  const policy = deps.catalog.inEffect(input.market, deps.clock.now());
  if (policy === undefined) {
    return err(
      new PolicyNotFoundError(`no waiver policy is in effect for market "${input.market}"`, [
        { field: "market", message: "no waiver policy in effect" },
      ]),
    );
  }
  const options = quoteWaiver(policy.document, input);
  if (!options.ok) return options;
  return ok({
    policyId: policy.policyId,
    policyVersion: policy.version,
    currency: policy.document.currency,
    options: options.value,
  });
}
