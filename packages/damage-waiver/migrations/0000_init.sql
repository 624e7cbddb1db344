CREATE SCHEMA IF NOT EXISTS "waiver";
--> statement-breakpoint
CREATE TABLE "waiver"."incident_events" (
	"incident_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "incident_events_pkey" PRIMARY KEY("incident_id","seq"),
	CONSTRAINT "incident_events_type_check" CHECK (type in ('REPORTED', 'ASSESSED', 'CHARGED', 'SETTLED', 'DISPUTED', 'RESOLVED', 'CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "waiver"."incidents" (
	"incident_id" uuid PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"rental_id" text NOT NULL,
	"market" text NOT NULL,
	"car_class" text NOT NULL,
	"daily_rate" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"product_code" text NOT NULL,
	"policy_id" text NOT NULL,
	"policy_version" integer NOT NULL,
	"status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"description" text,
	"repair_cost" bigint,
	"repair_days" integer,
	"fault_percent" integer,
	"exclusions" text[],
	"loss_of_use" bigint,
	"damage" bigint,
	"share" bigint,
	"owed" bigint,
	"basis" text,
	"charged" bigint,
	"resolution_owed" bigint,
	"resolution_note" text,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "incidents_idempotency_key_key" UNIQUE("idempotency_key"),
	CONSTRAINT "incidents_status_check" CHECK (status in ('REPORTED', 'ASSESSED', 'CHARGED', 'SETTLED', 'DISPUTED', 'RESOLVED', 'CANCELLED')),
	CONSTRAINT "incidents_basis_check" CHECK (basis in ('CAPPED', 'FIXED_DEDUCTIBLE', 'EXCLUDED')),
	CONSTRAINT "incidents_version_check" CHECK (version >= 1)
);
--> statement-breakpoint
CREATE TABLE "waiver"."policies" (
	"policy_id" text PRIMARY KEY NOT NULL,
	"market" text NOT NULL,
	CONSTRAINT "policies_market_key" UNIQUE("market")
);
--> statement-breakpoint
CREATE TABLE "waiver"."policy_prices" (
	"policy_id" text NOT NULL,
	"version" integer NOT NULL,
	"car_class" text NOT NULL,
	"product_code" text NOT NULL,
	"hourly" bigint NOT NULL,
	"daily" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	CONSTRAINT "policy_prices_pkey" PRIMARY KEY("policy_id","version","car_class","product_code")
);
--> statement-breakpoint
CREATE TABLE "waiver"."policy_products" (
	"policy_id" text NOT NULL,
	"version" integer NOT NULL,
	"product_code" text NOT NULL,
	"position" smallint NOT NULL,
	"product_name" text NOT NULL,
	"model" text NOT NULL,
	"self_pay_cap" bigint,
	"deductible" bigint,
	"currency" char(3) NOT NULL,
	"min_driver_age" integer NOT NULL,
	"min_license_years" integer NOT NULL,
	"sellable" boolean NOT NULL,
	CONSTRAINT "policy_products_pkey" PRIMARY KEY("policy_id","version","product_code"),
	CONSTRAINT "policy_products_model_check" CHECK ((model = 'CAPPED' and self_pay_cap is not null and deductible is null)
        or (model = 'FIXED_DEDUCTIBLE' and deductible is not null and self_pay_cap is null))
);
--> statement-breakpoint
CREATE TABLE "waiver"."policy_versions" (
	"policy_id" text NOT NULL,
	"version" integer NOT NULL,
	"market" text NOT NULL,
	"currency" char(3) NOT NULL,
	"document" jsonb NOT NULL,
	"document_sha256" char(64) NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "waiver"."policy_versions_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	CONSTRAINT "policy_versions_pkey" PRIMARY KEY("policy_id","version")
);
--> statement-breakpoint
ALTER TABLE "waiver"."incident_events" ADD CONSTRAINT "incident_events_incident_id_incidents_incident_id_fk" FOREIGN KEY ("incident_id") REFERENCES "waiver"."incidents"("incident_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waiver"."incidents" ADD CONSTRAINT "incidents_policy_version_fkey" FOREIGN KEY ("policy_id","policy_version") REFERENCES "waiver"."policy_versions"("policy_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waiver"."policy_prices" ADD CONSTRAINT "policy_prices_policy_product_fkey" FOREIGN KEY ("policy_id","version","product_code") REFERENCES "waiver"."policy_products"("policy_id","version","product_code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waiver"."policy_products" ADD CONSTRAINT "policy_products_policy_version_fkey" FOREIGN KEY ("policy_id","version") REFERENCES "waiver"."policy_versions"("policy_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waiver"."policy_versions" ADD CONSTRAINT "policy_versions_policy_id_policies_policy_id_fk" FOREIGN KEY ("policy_id") REFERENCES "waiver"."policies"("policy_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incidents_reported_at_incident_id_idx" ON "waiver"."incidents" USING btree ("reported_at" DESC NULLS FIRST,"incident_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_rental_id_reported_at_idx" ON "waiver"."incidents" USING btree ("rental_id","reported_at" DESC NULLS FIRST,"incident_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "incidents_status_reported_at_idx" ON "waiver"."incidents" USING btree ("status","reported_at" DESC NULLS FIRST,"incident_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_seq_key" ON "waiver"."policy_versions" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "policy_versions_market_effective_from_idx" ON "waiver"."policy_versions" USING btree ("market","effective_from");