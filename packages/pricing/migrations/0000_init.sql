CREATE SCHEMA IF NOT EXISTS "pricing";
--> statement-breakpoint
CREATE TABLE "pricing"."coupon_revisions" (
	"revision" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pricing"."coupon_revisions_revision_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"market" text NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"percent" integer,
	"max_discount" bigint,
	"amount" bigint,
	"currency" char(3) NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"min_minutes" integer NOT NULL,
	"car_classes" text[] NOT NULL,
	"put_at" timestamp with time zone NOT NULL,
	"put_by" text NOT NULL,
	CONSTRAINT "coupon_revisions_kind_check" CHECK (kind in ('PERCENT', 'FIXED'))
);
--> statement-breakpoint
CREATE TABLE "pricing"."coupons" (
	"market" text NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"percent" integer,
	"max_discount" bigint,
	"amount" bigint,
	"currency" char(3) NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"min_minutes" integer NOT NULL,
	"car_classes" text[] NOT NULL,
	"put_at" timestamp with time zone NOT NULL,
	"put_by" text NOT NULL,
	"revision" bigint NOT NULL,
	CONSTRAINT "coupons_pkey" PRIMARY KEY("market","code"),
	CONSTRAINT "coupons_kind_check" CHECK (kind in ('PERCENT', 'FIXED'))
);
--> statement-breakpoint
CREATE TABLE "pricing"."quote_lines" (
	"quote_id" uuid NOT NULL,
	"line_no" smallint NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	CONSTRAINT "quote_lines_pkey" PRIMARY KEY("quote_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "pricing"."quotes" (
	"quote_id" uuid PRIMARY KEY NOT NULL,
	"quoted_at" timestamp with time zone NOT NULL,
	"market" text NOT NULL,
	"tariff_id" text NOT NULL,
	"tariff_version" integer NOT NULL,
	"car_model_id" text NOT NULL,
	"car_class" text NOT NULL,
	"currency" char(3) NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"duration_minutes" integer NOT NULL,
	"member_tier" text,
	"coupon_code" text,
	"delivery" boolean NOT NULL,
	"estimated_km" integer,
	"rental_fee" bigint NOT NULL,
	"long_rental_discount" bigint NOT NULL,
	"member_discount" bigint NOT NULL,
	"coupon_discount" bigint NOT NULL,
	"delivery_fee" bigint NOT NULL,
	"distance_fee_estimate" bigint NOT NULL,
	"due_at_booking" bigint NOT NULL,
	"estimated_after_return" bigint NOT NULL,
	"total_estimate" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pricing"."settlement_lines" (
	"quote_id" uuid NOT NULL,
	"line_no" smallint NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	CONSTRAINT "settlement_lines_pkey" PRIMARY KEY("quote_id","line_no"),
	CONSTRAINT "settlement_lines_kind_check" CHECK (kind in ('CHARGE', 'CREDIT'))
);
--> statement-breakpoint
CREATE TABLE "pricing"."settlements" (
	"quote_id" uuid PRIMARY KEY NOT NULL,
	"settled_at" timestamp with time zone NOT NULL,
	"market" text NOT NULL,
	"tariff_id" text NOT NULL,
	"tariff_version" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"returned_at" timestamp with time zone NOT NULL,
	"driven_km" integer NOT NULL,
	"due_after_return" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pricing"."tariff_car_models" (
	"tariff_id" text NOT NULL,
	"version" integer NOT NULL,
	"car_model_id" text NOT NULL,
	"car_model_name" text NOT NULL,
	"car_class" text NOT NULL,
	"fuel" text NOT NULL,
	"weekday_daily_rate" bigint NOT NULL,
	"weekend_daily_rate" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	CONSTRAINT "tariff_car_models_pkey" PRIMARY KEY("tariff_id","version","car_model_id")
);
--> statement-breakpoint
CREATE TABLE "pricing"."tariff_versions" (
	"tariff_id" text NOT NULL,
	"version" integer NOT NULL,
	"market" text NOT NULL,
	"currency" char(3) NOT NULL,
	"time_zone" text NOT NULL,
	"document" jsonb NOT NULL,
	"document_sha256" char(64) NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "pricing"."tariff_versions_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	CONSTRAINT "tariff_versions_pkey" PRIMARY KEY("tariff_id","version")
);
--> statement-breakpoint
CREATE TABLE "pricing"."tariffs" (
	"tariff_id" text PRIMARY KEY NOT NULL,
	"market" text NOT NULL,
	CONSTRAINT "tariffs_market_key" UNIQUE("market")
);
--> statement-breakpoint
ALTER TABLE "pricing"."coupons" ADD CONSTRAINT "coupons_revision_coupon_revisions_revision_fk" FOREIGN KEY ("revision") REFERENCES "pricing"."coupon_revisions"("revision") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pricing"."quote_lines" ADD CONSTRAINT "quote_lines_quote_id_quotes_quote_id_fk" FOREIGN KEY ("quote_id") REFERENCES "pricing"."quotes"("quote_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pricing"."settlement_lines" ADD CONSTRAINT "settlement_lines_quote_id_settlements_quote_id_fk" FOREIGN KEY ("quote_id") REFERENCES "pricing"."settlements"("quote_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pricing"."tariff_car_models" ADD CONSTRAINT "tariff_car_models_tariff_version_fkey" FOREIGN KEY ("tariff_id","version") REFERENCES "pricing"."tariff_versions"("tariff_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pricing"."tariff_versions" ADD CONSTRAINT "tariff_versions_tariff_id_tariffs_tariff_id_fk" FOREIGN KEY ("tariff_id") REFERENCES "pricing"."tariffs"("tariff_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quotes_quoted_at_idx" ON "pricing"."quotes" USING btree ("quoted_at");--> statement-breakpoint
CREATE INDEX "quotes_market_quoted_at_idx" ON "pricing"."quotes" USING btree ("market","quoted_at");--> statement-breakpoint
CREATE INDEX "settlements_settled_at_idx" ON "pricing"."settlements" USING btree ("settled_at");--> statement-breakpoint
CREATE INDEX "settlements_market_settled_at_idx" ON "pricing"."settlements" USING btree ("market","settled_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tariff_versions_seq_key" ON "pricing"."tariff_versions" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "tariff_versions_market_effective_from_idx" ON "pricing"."tariff_versions" USING btree ("market","effective_from");