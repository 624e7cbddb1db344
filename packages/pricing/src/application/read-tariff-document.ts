import {
  createDocumentReader,
  DOCUMENT_FIELD,
  err,
  type FieldIssue,
  ok,
  type Result,
  summarizeIssues,
} from "@carfare/kit";
import { InvalidTariffError } from "../domain/pricing-errors.js";
import type { TariffDocument } from "../domain/tariff.js";
import { checkTariffRules } from "../domain/tariff-rules.js";
import { type AuthoredTariffDocument, PATTERN_HINTS, TariffDocumentSchema } from "./tariff-schema.js";

/** The largest tariff document accepted, in UTF-8 bytes; real ones are a few kilobytes. */
export const MAX_TARIFF_DOCUMENT_BYTES = 5 * 1024 * 1024;

export { DOCUMENT_FIELD };

const readAuthored = createDocumentReader({
  schema: TariffDocumentSchema,
  name: "tariff document",
  fields: "the tariff's fields (id, market, currency, …)",
  maxBytes: MAX_TARIFF_DOCUMENT_BYTES,
  patternHints: PATTERN_HINTS,
  unknownKeyMessage: (parentPath, key) => {
    if (parentPath !== "memberDiscounts") return undefined;
    return ["__proto__", "constructor", "prototype"].includes(key)
      ? `"${key}" cannot be a member tier name: it is reserved`
      : "is not a valid member tier name: it must not be empty or begin or end with a blank";
  },
});

/**
 * Reads the text of a tariff document (YAML 1.2 core schema, or JSON) into a validated `TariffDocument`
 * with its optional lists filled in, or refuses it with an `InvalidTariffError` listing every problem
 * found, each naming its field (`carModels[1].dailyRate.weekend`): first the document's shape (kit's
 * document reader), then the business rules of `checkTariffRules` (which need `publishedAt` for
 * `effectiveFrom`).
 *
 * @example
 * const read = readTariffDocument(yamlText, clock.now());
 * if (!read.ok) return read; // read.error.issues: [{ field: "billing.unitMinutes", message: "required" }]
 */
export function readTariffDocument(text: string, publishedAt: Date): Result<TariffDocument, InvalidTariffError> {
  const authored = readAuthored(text);
  if (!authored.ok) return refuse(authored.error);
  const document = withDefaults(authored.value as AuthoredTariffDocument);
  const ruleIssues = checkTariffRules(document, publishedAt);
  return ruleIssues.length > 0 ? refuse(ruleIssues) : ok(document);
}

function refuse(issues: readonly FieldIssue[]): { ok: false; error: InvalidTariffError } {
  return err(new InvalidTariffError(summarizeIssues("tariff document", issues), issues));
}

// --- Defaults ---------------------------------------------------------------------------------------------

function withDefaults(authored: AuthoredTariffDocument): TariffDocument {
  const {
    holidays = [],
    peakSeasons = [],
    timeBands = [],
    longRentalDiscounts = [],
    memberDiscounts = {},
    ...rest
  } = authored;
  // `delivery` and `effectiveFrom` stay absent when absent: both mean something (no delivery; effective
  // from publication).
  return { ...rest, holidays, peakSeasons, timeBands, longRentalDiscounts, memberDiscounts };
}
