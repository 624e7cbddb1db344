-- Comments on every table and column of schema waiver: the data dictionary (docs/data-dictionary.md) is
-- generated from them. One statement per breakpoint (PGlite runs one statement per query).
COMMENT ON TABLE "waiver"."policies" IS 'One row per waiver policy id and the market it holds. A market belongs to one policy id; a policy id keeps its market for good.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policies"."policy_id" IS 'Waiver policy id as written in the policy document (`id`), e.g. kr-waiver.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policies"."market" IS 'The market this policy covers (`kr`, `my`); unique: no other policy id may publish for it.';
--> statement-breakpoint
COMMENT ON TABLE "waiver"."policy_versions" IS 'Every published waiver policy version, one row each; append-only. The version in effect for a market at time t is the one with the latest effective_from <= t (ties: the higher version).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."policy_id" IS 'Waiver policy id (policies.policy_id).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."version" IS 'Version number within the policy id: 1, 2, 3… in publication order. Incidents name it in incidents.policy_version.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."market" IS 'Market of the policy (copied from the document).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."currency" IS 'ISO 4217 currency of every amount of this version (KRW, MYR).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."document" IS 'The whole waiver policy document as published (JSON). Its products and prices are also in policy_products and policy_prices.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."document_sha256" IS 'SHA-256 (hex) of the document as canonical JSON (keys sorted); republishing a document equal to the newest version creates no version.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."published_at" IS 'When the version was published (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."published_by" IS 'Name of the admin token that published the version.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."effective_from" IS 'From when the version may be used (UTC): the document''s effectiveFrom, or published_at when it had none.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_versions"."seq" IS 'Increasing number over all versions of all policies, in commit order; services poll max(seq) to notice a publication.';
--> statement-breakpoint
COMMENT ON TABLE "waiver"."policy_products" IS 'One row per waiver product of each policy version, in the policy''s order, so products can be queried without reading the document; append-only. Non-sellable (legacy) products stay so that incidents on old bookings still compute.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."policy_id" IS 'Waiver policy id of the version (policy_versions.policy_id).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."version" IS 'Policy version (policy_versions.version).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."product_code" IS 'Waiver product code (e.g. CAP_300K); incidents.product_code refers to it.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."position" IS 'Position of the product in the policy, from 1; waiver quotes list products in this order.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."product_name" IS 'Waiver product name for people (e.g. Self-pay up to 300,000).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."model" IS 'CAPPED (the customer pays at most self_pay_cap per accident) or FIXED_DEDUCTIBLE (legacy: a fixed deductible per accident).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."self_pay_cap" IS 'Self-pay cap of a CAPPED product: the most a customer pays per accident, in minor units of currency; null for FIXED_DEDUCTIBLE.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."deductible" IS 'Deductible of a FIXED_DEDUCTIBLE (legacy) product, in minor units of currency; null for CAPPED.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."currency" IS 'ISO 4217 currency of self_pay_cap and deductible.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."min_driver_age" IS 'Youngest driver age, in years, eligible for the product.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."min_license_years" IS 'Fewest years of driving licence eligible for the product.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_products"."sellable" IS 'False for legacy products: never offered in a waiver quote again, but still used by incidents that name them.';
--> statement-breakpoint
COMMENT ON TABLE "waiver"."policy_prices" IS 'The price of each waiver product for each car class of a policy version; append-only. A missing (car_class, product_code) row means the product is not offered for that class.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."policy_id" IS 'Waiver policy id of the version (policy_versions.policy_id).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."version" IS 'Policy version (policy_versions.version).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."car_class" IS 'Car class: LIGHT, COMPACT, MIDSIZE, LARGE, SUV, VAN or IMPORT.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."product_code" IS 'Waiver product (policy_products.product_code).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."hourly" IS 'Fee per started hour, in minor units of currency; within each 24-hour window the fee is min(hours · hourly, daily).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."daily" IS 'Most the product costs per 24-hour window, in minor units of currency.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."policy_prices"."currency" IS 'ISO 4217 currency of hourly and daily.';
--> statement-breakpoint
COMMENT ON TABLE "waiver"."incidents" IS 'One row per incident (damage to a car during a rental): the booking''s snapshot, the current status, assessment, liability, charge and resolution. Updated in place, each change raising version; every change is also an append-only row of incident_events.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."incident_id" IS 'Incident id (UUID), as the API shows it.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."idempotency_key" IS 'The Idempotency-Key the incident was created with; unique: a retried creation returns the same incident.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."request_fingerprint" IS 'The creation request body as canonical JSON (keys sorted); a replay with the same key must have the same body.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."rental_id" IS 'The rental (booking) the incident happened in, as the booking backend names it.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."market" IS 'Market of the rental.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."car_class" IS 'Car class of the rented car: LIGHT, COMPACT, MIDSIZE, LARGE, SUV, VAN or IMPORT.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."daily_rate" IS 'The car''s standard daily rate as supplied at creation, in minor units of currency: the loss-of-use basis.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."currency" IS 'ISO 4217 currency of every amount of the incident: the currency of its policy version.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."product_code" IS 'Waiver product chosen at booking (policy_products.product_code).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."policy_id" IS 'Waiver policy id of the booking''s waiver quote (policy_versions.policy_id).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."policy_version" IS 'Waiver policy version whose rules compute the liability (policy_versions.version).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."status" IS 'Current status: REPORTED, ASSESSED, CHARGED, SETTLED, DISPUTED, RESOLVED or CANCELLED.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."occurred_at" IS 'When the damage happened (UTC), as reported.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."reported_at" IS 'When the incident was created (UTC). Lists are ordered by it, newest first.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."description" IS 'Free text given at creation; null when none.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."repair_cost" IS 'Assessment: what repairing the car costs, in minor units of currency; null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."repair_days" IS 'Assessment: days the car is out of service for repair (0–365); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."fault_percent" IS 'Assessment: the customer''s share of fault, 0–100; null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."exclusions" IS 'Assessment: circumstances that void the waiver (DRUNK_DRIVING, UNLICENSED, …); empty when none; null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."loss_of_use" IS 'Liability: loss of use = daily_rate · percent of daily rate · min(repair_days, max days), floored to the rounding increment (minor units); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."damage" IS 'Liability: repair_cost + loss_of_use (minor units); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."share" IS 'Liability: the customer''s share of damage, damage · fault_percent / 100 floored to the rounding increment (minor units); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."owed" IS 'Liability: what the customer owes under the basis (minor units); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."basis" IS 'Liability: CAPPED (share up to the self-pay cap), FIXED_DEDUCTIBLE (legacy) or EXCLUDED (an exclusion voided the waiver: owed = share); null until assessed.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."charged" IS 'Amount charged to the customer, frozen at charging (= owed then), in minor units; null until charged.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."resolution_owed" IS 'What the customer owes after a dispute was resolved (at most charged), in minor units; null unless resolved.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."resolution_note" IS 'Note recorded with the resolution of a dispute; null unless resolved.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."version" IS 'Starts at 1 and grows by one with every change (the API''s ETag); equals the number of incident_events rows of the incident.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incidents"."updated_at" IS 'When the incident last changed (UTC): the time of its latest event.';
--> statement-breakpoint
COMMENT ON TABLE "waiver"."incident_events" IS 'The history of every incident: one row per transition, creation included, oldest first; append-only.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."incident_id" IS 'Incident (incidents.incident_id).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."seq" IS 'Position of the event in the incident''s history, from 1 (the creation); version n of an incident is reached by event n.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."at" IS 'When the transition happened (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."type" IS 'The status the incident moved to (REPORTED at creation; a re-assessment is another ASSESSED).';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."actor" IS 'Name of the admin or service token that made the change, or anonymous.';
--> statement-breakpoint
COMMENT ON COLUMN "waiver"."incident_events"."data" IS 'Details of the transition as JSON (what the request carried, e.g. the assessment, or the reason of a dispute or cancellation); {} when none.';
