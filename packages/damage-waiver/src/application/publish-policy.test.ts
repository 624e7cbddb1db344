import { describe, expect, it } from "vitest";
import { FakeClock, InMemoryPolicies } from "../../test/builders/fakes.js";
import { referencePolicyText } from "../../test/builders/policy-builder.js";
import { getPolicyVersion, listPolicyVersions } from "./list-policy-versions.js";
import { PolicyCatalog } from "./policy-catalog.js";
import { publishPolicy } from "./publish-policy.js";

const NOW = new Date("2026-11-25T05:00:00Z");

function setup() {
  const policies = new InMemoryPolicies();
  const catalog = new PolicyCatalog();
  const clock = new FakeClock(NOW);
  return { policies, catalog, clock, deps: { policies, catalog, clock } };
}

async function publishedOk(deps: ReturnType<typeof setup>["deps"], text: string, by = "alice") {
  const result = await publishPolicy(deps, text, by);
  if (!result.ok) throw result.error;
  return result.value;
}

describe("publishPolicy", () => {
  it("stores the reference policy as version 1, effective from now, and serves it at once", async () => {
    const { deps, catalog } = setup();
    const outcome = await publishedOk(deps, referencePolicyText);
    expect(outcome.created).toBe(true);
    expect(outcome.policy).toMatchObject({
      policyId: "kr-waiver",
      version: 1,
      market: "kr",
      publishedAt: NOW,
      publishedBy: "alice",
      effectiveFrom: NOW,
    });
    expect(catalog.inEffect("kr", NOW)?.version).toBe(1);
  });

  it("creates nothing when the document equals the newest version, and says so", async () => {
    const { deps } = setup();
    await publishedOk(deps, referencePolicyText);
    const again = await publishedOk(deps, referencePolicyText, "bob");
    expect(again.created).toBe(false);
    expect(again.policy).toMatchObject({ version: 1, publishedBy: "alice" });
  });

  it("numbers a changed document as the next version, which takes effect at its effectiveFrom", async () => {
    const { deps, catalog } = setup();
    await publishedOk(deps, referencePolicyText);
    const later = await publishedOk(deps, `${referencePolicyText}effectiveFrom: "2027-01-01T00:00:00+09:00"\n`);
    expect(later.policy).toMatchObject({ version: 2, effectiveFrom: new Date("2026-12-31T15:00:00Z") });
    expect(catalog.inEffect("kr", NOW)?.version).toBe(1);
    expect(catalog.inEffect("kr", new Date("2026-12-31T15:00:00Z"))?.version).toBe(2);
  });

  it("refuses an invalid document with INVALID_POLICY and stores nothing", async () => {
    const { deps, policies } = setup();
    const result = await publishPolicy(
      deps,
      referencePolicyText.replace("selfPayCap: 50000", "selfPayCap: 50005"),
      "a",
    );
    expect(result.ok ? "published" : [result.error.code, result.error.issues.map((i) => i.field)]).toEqual([
      "WAIVER.INVALID_POLICY",
      ["products[2].selfPayCap"],
    ]);
    expect(policies.versions).toEqual([]);
  });

  it("refuses a second policy id for a market with POLICY_MARKET_TAKEN, naming market", async () => {
    const { deps } = setup();
    await publishedOk(deps, referencePolicyText);
    const result = await publishPolicy(deps, referencePolicyText.replace("id: kr-waiver", "id: kr-waiver-2"), "a");
    expect(result.ok ? "published" : [result.error.code, result.error.issues]).toEqual([
      "WAIVER.POLICY_MARKET_TAKEN",
      [{ field: "market", message: "held by kr-waiver" }],
    ]);
  });

  it("refuses moving a policy id to another market, naming id", async () => {
    const { deps } = setup();
    await publishedOk(deps, referencePolicyText);
    const result = await publishPolicy(deps, referencePolicyText.replace("market: kr", "market: jp"), "a");
    expect(result.ok ? "published" : [result.error.code, result.error.issues[0]?.field]).toEqual([
      "WAIVER.POLICY_MARKET_TAKEN",
      "id",
    ]);
  });
});

describe("listPolicyVersions and getPolicyVersion", () => {
  it("list a policy's versions oldest first and return one version with its document", async () => {
    const { deps, catalog } = setup();
    await publishedOk(deps, referencePolicyText);
    await publishedOk(deps, referencePolicyText.replace("maxDays: 5", "maxDays: 7"));
    const versions = listPolicyVersions(catalog, "kr-waiver");
    expect(versions.ok && versions.value.map((p) => p.version)).toEqual([1, 2]);
    const second = getPolicyVersion(catalog, "kr-waiver", 2);
    expect(second.ok && second.value.document.lossOfUse).toEqual({ percentOfDailyRate: 50, maxDays: 7 });
  });

  it("answer POLICY_NOT_FOUND for an unknown policy or version, naming which", async () => {
    const { deps, catalog } = setup();
    await publishedOk(deps, referencePolicyText);
    const unknown = listPolicyVersions(catalog, "jp-waiver");
    expect(unknown.ok ? "found" : [unknown.error.code, unknown.error.issues[0]?.field]).toEqual([
      "WAIVER.POLICY_NOT_FOUND",
      "policyId",
    ]);
    const noVersion = getPolicyVersion(catalog, "kr-waiver", 9);
    expect(noVersion.ok ? "found" : [noVersion.error.code, noVersion.error.issues[0]?.field]).toEqual([
      "WAIVER.POLICY_NOT_FOUND",
      "version",
    ]);
    const noPolicy = getPolicyVersion(catalog, "jp-waiver", 1);
    expect(noPolicy.ok ? "found" : noPolicy.error.issues[0]?.field).toBe("policyId");
  });
});
