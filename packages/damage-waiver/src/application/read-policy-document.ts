import {
  createDocumentReader,
  DOCUMENT_FIELD,
  err,
  type FieldIssue,
  ok,
  type Result,
  summarizeIssues,
} from "@carfare/kit";
import { checkPolicyRules } from "../domain/policy-rules.js";
import { InvalidPolicyError } from "../domain/waiver-errors.js";
import {
  type AuthoredProduct,
  CAR_CLASSES,
  type WaiverPolicyDocument,
  type WaiverProduct,
} from "../domain/waiver-policy.js";
import { type AuthoredWaiverPolicy, PATTERN_HINTS, PRODUCT_CODE_PATTERN, WaiverPolicySchema } from "./policy-schema.js";

/** The largest waiver policy document accepted, in UTF-8 bytes; real ones are a few kilobytes. */
export const MAX_POLICY_DOCUMENT_BYTES = 1024 * 1024;

export { DOCUMENT_FIELD };

const readAuthored = createDocumentReader({
  schema: WaiverPolicySchema,
  name: "waiver policy document",
  fields: "the policy's fields (id, market, currency, …)",
  maxBytes: MAX_POLICY_DOCUMENT_BYTES,
  patternHints: PATTERN_HINTS,
  unknownKeyMessage: (parentPath, key) => {
    if (parentPath === "prices") return `"${key}" is not a car class; one of ${CAR_CLASSES.join(", ")}`;
    if (/^prices\.[A-Z]+$/.test(parentPath))
      return `"${key}" is not ${PATTERN_HINTS[PRODUCT_CODE_PATTERN] ?? "a product code"}`;
    return undefined;
  },
});

/**
 * Reads the text of a waiver policy document (YAML 1.2 core schema, or JSON) into a validated
 * `WaiverPolicyDocument` (every product's `sellable` filled in), or refuses it with an `InvalidPolicyError`
 * listing every problem found, each naming its field (`products[2].selfPayCap`): first the document's shape
 * (kit's document reader), then the rules of `checkPolicyRules` (which need `publishedAt` for `effectiveFrom`).
 *
 * @example
 * const read = readPolicyDocument(yamlText, clock.now());
 * if (!read.ok) return read; // read.error.issues: [{ field: "products[2].selfPayCap", message: "required: …" }]
 */
export function readPolicyDocument(text: string, publishedAt: Date): Result<WaiverPolicyDocument, InvalidPolicyError> {
  const authored = readAuthored(text);
  if (!authored.ok) return refuse(authored.error);
  const value = authored.value as AuthoredWaiverPolicy;
  const ruleIssues = checkPolicyRules(value, publishedAt);
  return ruleIssues.length > 0 ? refuse(ruleIssues) : ok(toPolicyDocument(value));
}

function refuse(issues: readonly FieldIssue[]): { ok: false; error: InvalidPolicyError } {
  return err(new InvalidPolicyError(summarizeIssues("waiver policy document", issues), issues));
}

// --- The domain's document ---------------------------------------------------------------------------------

/**
 * The validated document as the domain holds it: each product narrowed to its model with `sellable` filled
 * in, keys in one fixed order so that equal documents serialise alike.
 */
function toPolicyDocument(authored: AuthoredWaiverPolicy): WaiverPolicyDocument {
  const { id, market, currency, roundingIncrement, products, prices, youngDriver, lossOfUse, effectiveFrom } = authored;
  return {
    id,
    market,
    currency,
    roundingIncrement,
    products: products.map(toProduct),
    prices,
    ...(youngDriver === undefined ? {} : { youngDriver }),
    lossOfUse,
    ...(effectiveFrom === undefined ? {} : { effectiveFrom }),
  };
}

function toProduct(product: AuthoredProduct): WaiverProduct {
  const { code, name, minDriverAge, minLicenseYears } = product;
  const sellable = product.sellable ?? true;
  // The rules ran first, so a CAPPED product has its selfPayCap and a FIXED_DEDUCTIBLE one its deductible.
  const amount = product.model === "CAPPED" ? product.selfPayCap : product.deductible;
  if (amount === undefined) throw new Error(`product ${code} passed the policy rules without its amount`);
  return product.model === "CAPPED"
    ? { code, name, model: "CAPPED", selfPayCap: amount, minDriverAge, minLicenseYears, sellable }
    : { code, name, model: "FIXED_DEDUCTIBLE", deductible: amount, minDriverAge, minLicenseYears, sellable };
}
