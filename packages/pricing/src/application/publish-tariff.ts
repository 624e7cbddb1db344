import { err, ok, type Result } from "@carfare/kit";
import { type InvalidTariffError, MarketTakenError } from "../domain/pricing-errors.js";
import type { Clock, PublishedTariff, TariffRepository } from "./ports.js";
import { readTariffDocument } from "./read-tariff-document.js";
import type { TariffCatalog } from "./tariff-catalog.js";

export interface PublishTariffDeps {
  readonly tariffs: TariffRepository;
  readonly catalog: TariffCatalog;
  readonly clock: Clock;
}

export interface PublishTariffOutcome {
  readonly tariff: PublishedTariff;
  /** False when the document equalled the newest version and nothing was created. */
  readonly created: boolean;
}

/**
 * Publish use case (spec §2): validates the document, stores it as the next immutable version and makes it
 * visible to this process at once (other processes see it on their next catalog refresh).
 */
export async function publishTariff(
  deps: PublishTariffDeps,
  text: string,
  publishedBy: string,
): Promise<Result<PublishTariffOutcome, InvalidTariffError | MarketTakenError>> {
  const now = deps.clock.now();
  const document = readTariffDocument(text, now);
  if (!document.ok) return document;
  const outcome = await deps.tariffs.publish(document.value, publishedBy, now);
  if (outcome.kind === "market-taken") {
    return err(
      new MarketTakenError(`market "${document.value.market}" already belongs to tariff ${outcome.heldBy}`, [
        { field: "market", message: `held by ${outcome.heldBy}` },
      ]),
    );
  }
  deps.catalog.add([outcome.tariff]);
  return ok({ tariff: outcome.tariff, created: outcome.kind === "created" });
}
