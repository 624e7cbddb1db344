import { err, ok, type Result } from "@carfare/kit";
import { TariffNotFoundError } from "../domain/pricing-errors.js";
import type { PublishedTariff } from "./ports.js";
import type { TariffCatalog } from "./tariff-catalog.js";

/**
 * Every version of a tariff, oldest first; an unknown id is TARIFF_NOT_FOUND. An empty id lists every
 * tariff's versions, by tariff id then version.
 */
export function listTariffVersions(
  catalog: TariffCatalog,
  tariffId: string,
): Result<PublishedTariff[], TariffNotFoundError> {
  if (tariffId === "") return ok(catalog.tariffIds().flatMap((id) => catalog.versionsOf(id).map((e) => e.published)));
  const versions = catalog.versionsOf(tariffId);
  if (versions.length === 0) return err(notFound(tariffId));
  return ok(versions.map((e) => e.published));
}

/** One version of a tariff (0 = the newest). */
export function getTariffVersion(
  catalog: TariffCatalog,
  tariffId: string,
  version: number,
): Result<PublishedTariff, TariffNotFoundError> {
  const versions = catalog.versionsOf(tariffId);
  const entry = version === 0 ? versions[versions.length - 1] : catalog.version(tariffId, version);
  if (entry === undefined) return err(notFound(tariffId, version));
  return ok(entry.published);
}

function notFound(tariffId: string, version = 0): TariffNotFoundError {
  const what = version === 0 ? `tariff "${tariffId}"` : `version ${version} of tariff "${tariffId}"`;
  return new TariffNotFoundError(`${what} does not exist`, [
    { field: version === 0 ? "tariff_id" : "version", message: "not found" },
  ]);
}
