import { Counter, type Registry } from "@carfare/kit";
import type { Incident } from "../../domain/incident.js";

/** What the REST adapter reports about the business it served (the damage-waiver counters of /metrics). */
export interface WaiverObserver {
  /** A waiver quote was given (the products offered for a rental). */
  quoted(market: string, carClass: string): void;
  /** An incident was created or changed: its last event is the transition (a replayed creation is not one). */
  changed(incident: Incident): void;
}

/** Observes nothing: the default when no registry is given. */
export const IGNORE_WAIVER: WaiverObserver = { quoted: () => {}, changed: () => {} };

/**
 * The damage-waiver business counters in `registry`:
 * - `carfare_waiver_quotes_total{market,car_class}` — waiver quotes given;
 * - `carfare_incident_transitions_total{market,from,to}` — incident status changes (`from="NONE"` when
 *   reported; a re-assessment is ASSESSED → ASSESSED);
 * - `carfare_liabilities_total{market,basis}` — liabilities computed (one per assessment, re-assessments too);
 * - `carfare_liability_owed_total{market,currency}` — the sum of what those liabilities say the customer owes,
 *   in minor units of the currency.
 */
export function createWaiverMetrics(registry: Registry): WaiverObserver {
  const registers = [registry];
  const quotes = new Counter({
    name: "carfare_waiver_quotes_total",
    help: "Waiver quotes given, by market and car class.",
    labelNames: ["market", "car_class"],
    registers,
  });
  const transitions = new Counter({
    name: "carfare_incident_transitions_total",
    help: 'Incident status changes, by market, from and to (from="NONE" when an incident is reported).',
    labelNames: ["market", "from", "to"],
    registers,
  });
  const liabilities = new Counter({
    name: "carfare_liabilities_total",
    help: "Liabilities computed at assessment, by market and basis (CAPPED, FIXED_DEDUCTIBLE, EXCLUDED).",
    labelNames: ["market", "basis"],
    registers,
  });
  const owed = new Counter({
    name: "carfare_liability_owed_total",
    help: "What assessed liabilities say customers owe, in minor units of the currency, by market and currency.",
    labelNames: ["market", "currency"],
    registers,
  });
  return {
    quoted: (market, carClass) => quotes.inc({ market, car_class: carClass }),
    changed: (incident) => {
      const { events, market } = incident;
      const to = events[events.length - 1]?.type;
      if (to === undefined) return;
      const from = events[events.length - 2]?.type ?? "NONE";
      transitions.inc({ market, from, to });
      if (to === "ASSESSED" && incident.liability !== undefined) {
        liabilities.inc({ market, basis: incident.liability.basis });
        owed.inc({ market, currency: incident.liability.currency }, incident.liability.owed);
      }
    },
  };
}
