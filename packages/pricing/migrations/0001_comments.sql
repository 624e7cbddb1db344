-- Comments on every table and column of schema pricing: the data dictionary (docs/data-dictionary.md) is
-- generated from them. One statement per breakpoint (PGlite runs one statement per query).
COMMENT ON TABLE "pricing"."tariffs" IS 'One row per tariff id and the market it holds. A market belongs to one tariff id; a tariff id keeps its market for good.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariffs"."tariff_id" IS 'Tariff id as written in the tariff document (`id`), e.g. kr-standard.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariffs"."market" IS 'The market this tariff prices (`kr`, `my`); unique: no other tariff id may publish for it.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."tariff_versions" IS 'Every published tariff version, one row each; append-only. The version in effect for a market at time t is the one with the latest effective_from <= t (ties: the higher version).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."tariff_id" IS 'Tariff id (tariffs.tariff_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."version" IS 'Version number within the tariff id: 1, 2, 3… in publication order. Quotes name it in quotes.tariff_version.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."market" IS 'Market of the tariff (copied from the document).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."currency" IS 'ISO 4217 currency of every amount of this version (KRW, MYR).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."time_zone" IS 'IANA time zone in which the wall-clock rules of the tariff apply (Asia/Seoul).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."document" IS 'The whole tariff document as published (JSON). Rates per car model are also in tariff_car_models.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."document_sha256" IS 'SHA-256 (hex) of the document as canonical JSON (keys sorted); republishing an equal document creates no version.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."published_at" IS 'When the version was published (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."published_by" IS 'Name of the admin token that published the version.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."effective_from" IS 'From when the version may be used for quotes (UTC): the document''s effectiveFrom, or published_at when it had none.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_versions"."seq" IS 'Increasing number over all versions of all tariffs, in commit order; services poll max(seq) to notice a publication.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."tariff_car_models" IS 'One row per car model of each tariff version, with its daily rates, so rates can be queried without reading the document; append-only.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."tariff_id" IS 'Tariff id of the version (tariff_versions.tariff_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."version" IS 'Tariff version (tariff_versions.version).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."car_model_id" IS 'Car model id (e.g. sonata-dn8); quotes.car_model_id refers to it.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."car_model_name" IS 'Car model name for people (e.g. Sonata DN8).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."car_class" IS 'Car class: LIGHT, COMPACT, MIDSIZE, LARGE, SUV, VAN or IMPORT.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."fuel" IS 'Fuel: GASOLINE, DIESEL, LPG, HYBRID or EV.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."weekday_daily_rate" IS 'Daily rate on WEEKDAY business days, in minor units of currency.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."weekend_daily_rate" IS 'Daily rate on WEEKEND business days (weekend days, holidays, peak seasons), in minor units of currency.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."tariff_car_models"."currency" IS 'ISO 4217 currency of the rates.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."coupons" IS 'The current state of each coupon: the latest put of (market, code). Its history is in coupon_revisions.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."market" IS 'Market where the coupon can be used; codes are unique within a market.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."code" IS 'Coupon code, upper-case (codes are matched case-insensitively).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."kind" IS 'PERCENT (percent off, capped by max_discount) or FIXED (amount off).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."percent" IS 'Percent off the rental fee left after the other discounts, 1–100; null for FIXED coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."max_discount" IS 'Most a PERCENT coupon takes off, in minor units of currency; 0 = no cap; null for FIXED coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."amount" IS 'Amount a FIXED coupon takes off, in minor units of currency; null for PERCENT coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."currency" IS 'ISO 4217 currency of max_discount and amount: the market''s tariff currency when the coupon was put.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."valid_from" IS 'Start of validity (UTC, inclusive): the rental''s start must be at or after it.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."valid_until" IS 'End of validity (UTC, exclusive): the rental''s start must be before it.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."min_minutes" IS 'Shortest rental, in minutes, the coupon applies to; 0 = any.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."car_classes" IS 'Car classes the coupon applies to; empty = all.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."put_at" IS 'When this state was put (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."put_by" IS 'Name of the admin token that put this state.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupons"."revision" IS 'The coupon_revisions row holding this same state.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."coupon_revisions" IS 'Every put of every coupon, one row each; append-only. The row with the highest revision of a (market, code) is its current state.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."revision" IS 'Increasing number over all puts of all coupons, in commit order; services poll max(revision) to notice a change.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."market" IS 'Market where the coupon can be used.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."code" IS 'Coupon code, upper-case.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."kind" IS 'PERCENT or FIXED.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."percent" IS 'Percent off, 1–100; null for FIXED coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."max_discount" IS 'Cap of a PERCENT coupon in minor units of currency; 0 = no cap; null for FIXED coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."amount" IS 'Amount off of a FIXED coupon in minor units of currency; null for PERCENT coupons.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."currency" IS 'ISO 4217 currency of max_discount and amount.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."valid_from" IS 'Start of validity (UTC, inclusive).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."valid_until" IS 'End of validity (UTC, exclusive).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."min_minutes" IS 'Shortest rental, in minutes, the coupon applies to; 0 = any.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."car_classes" IS 'Car classes the coupon applies to; empty = all.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."put_at" IS 'When the put happened (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."coupon_revisions"."put_by" IS 'Name of the admin token that made the put.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."quotes" IS 'One row per quote given to the booking backend (demand, including quotes never booked); append-only. Written in batches, so the newest quotes can lag by about a second, and a crash loses the quotes not yet written.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."quote_id" IS 'Quote id (UUID), also inside the quote token; settlements.quote_id refers to it.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."quoted_at" IS 'When the quote was made (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."market" IS 'Market of the quote.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."tariff_id" IS 'Tariff id used (tariff_versions.tariff_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."tariff_version" IS 'Tariff version used (tariff_versions.version); its settlement uses the same version.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."car_model_id" IS 'Car model quoted (tariff_car_models.car_model_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."car_class" IS 'Car class of the car model at quote time.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."currency" IS 'ISO 4217 currency of every amount of the quote.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."start_at" IS 'Start of the rental period (UTC, inclusive).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."end_at" IS 'End of the rental period (UTC, exclusive).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."duration_minutes" IS 'Length of the rental period in minutes (end_at - start_at).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."member_tier" IS 'Member tier asked for (e.g. PASSPORT); null when none.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."coupon_code" IS 'Coupon code applied, upper-case; null when none.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."delivery" IS 'True when delivery of the car to the customer was asked for.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."estimated_km" IS 'Distance the customer expected to drive, in km; null when not given.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."rental_fee" IS 'Rental fee: the time part of the price after daily caps, before discounts (minor units).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."long_rental_discount" IS 'Long-rental discount, as a positive amount taken off (minor units; 0 when none).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."member_discount" IS 'Member discount, as a positive amount taken off (minor units; 0 when none).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."coupon_discount" IS 'Coupon discount, as a positive amount taken off (minor units; 0 when none).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."delivery_fee" IS 'Delivery fee (minor units; 0 when none or free).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."distance_fee_estimate" IS 'Distance fee estimated from estimated_km (minor units; 0 when no estimate).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."due_at_booking" IS 'Due at booking: rental_fee - long_rental_discount - member_discount - coupon_discount + delivery_fee (minor units).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."estimated_after_return" IS 'Estimated due after return: the distance fee estimate (minor units).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."total_estimate" IS 'due_at_booking + estimated_after_return (minor units).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quotes"."expires_at" IS 'Until when the quote may be booked (UTC): 15 minutes after quoted_at. Settlement is allowed later.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."quote_lines" IS 'The price lines of each quote, in the order shown to the customer; append-only. Only non-zero components have a line.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."quote_id" IS 'Quote (quotes.quote_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."line_no" IS 'Position of the line in the quote, from 1.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."code" IS 'Line code: RENTAL_FEE, LONG_RENTAL_DISCOUNT, MEMBER_DISCOUNT, COUPON_DISCOUNT, DELIVERY_FEE or DISTANCE_FEE_ESTIMATE.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."label" IS 'Human-readable English label; for display only, group by code instead.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."amount" IS 'Amount in minor units of currency; discounts are negative.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."quote_lines"."currency" IS 'ISO 4217 currency of amount.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."settlements" IS 'One row per settled quote: what was due after return; append-only (a quote is settled once). No foreign key to quotes: a settlement can be written before the batched row of its quote.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."quote_id" IS 'The settled quote (quotes.quote_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."settled_at" IS 'When the settlement was recorded (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."market" IS 'Market of the quote.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."tariff_id" IS 'Tariff id the quote used.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."tariff_version" IS 'Tariff version the quote used (price lock).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."currency" IS 'ISO 4217 currency of every amount of the settlement.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."returned_at" IS 'When the car was actually returned (UTC).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."driven_km" IS 'Distance actually driven, in km.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlements"."due_after_return" IS 'Due after return: distance fee + late-return fee (minor units). Credits are not subtracted.';
--> statement-breakpoint
COMMENT ON TABLE "pricing"."settlement_lines" IS 'The charges and credits of each settlement, in the order shown; append-only. Only non-zero components have a line.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."quote_id" IS 'The settled quote (settlements.quote_id).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."line_no" IS 'Position of the line in the settlement, from 1: charges first, then credits.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."kind" IS 'CHARGE (part of due_after_return) or CREDIT (given for a later rental, not subtracted).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."code" IS 'Line code: DISTANCE_FEE, LATE_RETURN_FEE (charges) or EARLY_RETURN_CREDIT (credit).';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."label" IS 'Human-readable English label; for display only, group by code instead.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."amount" IS 'Amount in minor units of currency, positive for charges and credits alike.';
--> statement-breakpoint
COMMENT ON COLUMN "pricing"."settlement_lines"."currency" IS 'ISO 4217 currency of amount.';
