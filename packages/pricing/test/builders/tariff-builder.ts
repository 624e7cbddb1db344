import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { type CompiledTariff, compileTariff } from "../../src/domain/compiled-tariff.js";
import type { TariffDocument } from "../../src/domain/tariff.js";

const fixture = new URL("../fixtures/reference-tariff.yaml", import.meta.url);

/** The reference tariff of spec §2, with the optional lists filled in as the document reader does. */
export function referenceTariff(): TariffDocument {
  const raw = parse(readFileSync(fixture, "utf8"), { schema: "core" }) as TariffDocument;
  return { holidays: [], peakSeasons: [], timeBands: [], longRentalDiscounts: [], memberDiscounts: {}, ...raw };
}

/** The reference tariff with some fields replaced: `aTariff({ timeBands: [] })`. */
export function aTariff(overrides: Partial<TariffDocument> = {}): TariffDocument {
  return { ...referenceTariff(), ...overrides };
}

export function compiled(document: TariffDocument = referenceTariff()): CompiledTariff {
  return compileTariff(document);
}

/** A local wall time in Asia/Seoul (UTC+9, no DST) as an instant: `seoul("2026-11-28 10:00")`. */
export function seoul(localDateTime: string): Date {
  return new Date(`${localDateTime.replace(" ", "T")}:00+09:00`);
}
