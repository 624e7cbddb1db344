import { readFileSync } from "node:fs";
import { readTariffDocument } from "../../src/application/read-tariff-document.js";
import { type CompiledTariff, compileTariff } from "../../src/domain/compiled-tariff.js";
import type { TariffDocument } from "../../src/domain/tariff.js";

const fixture = new URL("../fixtures/reference-tariff.yaml", import.meta.url);

const referenceText = readFileSync(fixture, "utf8");

/** The reference tariff of spec §2, read by the real document reader. */
export function referenceTariff(): TariffDocument {
  const read = readTariffDocument(referenceText, new Date("2026-01-01T00:00:00Z"));
  if (!read.ok) throw new Error(`the reference tariff no longer reads: ${read.error.message}`);
  return read.value;
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
