import { databasesUnderTest, type TestDatabase } from "@carfare/kit";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, call } from "../support/pricing-client.js";
import {
  ADMIN_TOKEN,
  createPricingTestDatabase,
  expectRefusal,
  KR_TARIFF_YAML,
  krVariant,
  named,
  type PricingUnderTest,
  seoul,
  startPricingUnderTest,
  testClock,
  WRONG_TOKEN,
  workedExample,
} from "./pricing-service-under-test.js";

// DESIGN.md "Access": admin calls need a token of CARFARE_ADMIN_TOKENS and, with none configured, are all
// refused; when CARFARE_SERVICE_TOKENS is set, Quote and Settle need one of its tokens.
const SERVICE_TOKEN = "booking-backend-token-0123456789";
const RELEASE_BOT_TOKEN = "release-bot-token-0123456789";

describe.each(databasesUnderTest())("Access to the API, on %s", (kind) => {
  let database: TestDatabase;
  /** Admin tokens `ops` and `release-bot`, no service tokens: quotes are open. */
  let open: PricingUnderTest;
  /** No admin token at all, and a service token required. */
  let locked: PricingUnderTest;

  beforeAll(async () => {
    database = await createPricingTestDatabase(kind);
    const clock = testClock("2026-11-25T09:00:00Z");
    open = await startPricingUnderTest({
      database,
      clock,
      adminTokens: `ops:${ADMIN_TOKEN},release-bot:${RELEASE_BOT_TOKEN}`,
    });
    await open.publish(KR_TARIFF_YAML);
    // Started after the publication, so it serves kr-standard from its first load.
    locked = await startPricingUnderTest({
      database,
      clock,
      adminTokens: "",
      serviceTokens: `booking:${SERVICE_TOKEN}`,
    });
  });
  afterAll(async () => {
    await locked?.stop();
    await open?.stop();
    await database?.close();
  });

  const adminCalls: [string, object][] = [
    ["PublishTariff", { document: KR_TARIFF_YAML }],
    ["ListTariffVersions", { tariffId: "kr-standard" }],
    ["GetTariffVersion", { tariffId: "kr-standard" }],
    ["PutCoupon", { code: "X", market: "kr", kind: "FIXED", amount: 1_000 }],
  ];

  it.each(
    named(
      adminCalls,
      ([method]) =>
        `When ${method} reaches a server with no admin token configured, then it answers UNAUTHENTICATED whatever token is sent`,
    ),
  )("%s", async (_name, [method, request]) => {
    for (const metadata of [new grpc.Metadata(), bearer(ADMIN_TOKEN), bearer(SERVICE_TOKEN)]) {
      const error = await expectRefusal(call(locked.clients.admin, method, request, metadata), {
        status: "UNAUTHENTICATED",
        reason: "PRICING.UNAUTHENTICATED",
        field: "authorization",
      });
      expect(error.details).toContain("no admin token is configured");
    }
  });

  it.each(
    named(
      [
        { given: "no token", metadata: () => new grpc.Metadata() },
        { given: "a wrong token", metadata: () => bearer(WRONG_TOKEN) },
        { given: "an admin token (not a service token)", metadata: () => bearer(ADMIN_TOKEN) },
      ],
      (r) =>
        `When Quote and Settle come with ${r.given} to a server requiring service tokens, then both answer UNAUTHENTICATED`,
    ),
  )("%s", async (_name, { metadata }) => {
    const unauthenticated = {
      status: "UNAUTHENTICATED",
      reason: "PRICING.UNAUTHENTICATED",
      field: "authorization",
    } as const;
    const quote = await open.quote(workedExample());

    await expectRefusal(locked.quote(workedExample(), metadata()), unauthenticated);
    await expectRefusal(
      locked.settle({ token: quote.token, returnedAt: seoul("2026-11-29T12:00") }, metadata()),
      unauthenticated,
    );
  });

  it("When Quote and Settle come with a service token, then the worked example is priced and settled", async () => {
    const quote = await locked.quote(workedExample(), bearer(SERVICE_TOKEN));
    expect(quote.dueAtBooking).toBe(103_310);

    const settlement = await locked.settle(
      { token: quote.token, returnedAt: seoul("2026-11-29T11:00"), drivenKm: 120 },
      bearer(SERVICE_TOKEN),
    );

    expect(settlement.dueAfterReturn).toBe(25_520);
  });

  it("When no service token is configured, then Quote needs no token", async () => {
    expect((await open.quote(workedExample())).dueAtBooking).toBe(103_310);
  });

  it("When an admin publishes with one of several admin tokens, then the version records that token's name", async () => {
    const document = krVariant((doc) => {
      doc.id = "jp-e2e";
      doc.market = "jp";
    });

    const published = await call<{ publishedBy: string; version: number }>(
      open.clients.admin,
      "PublishTariff",
      { document },
      bearer(RELEASE_BOT_TOKEN),
    );

    expect(published).toMatchObject({ publishedBy: "release-bot", version: 1 });
    expect(open.logs.join("\n")).not.toContain(RELEASE_BOT_TOKEN);
  });
});
