import { describe, expect, it } from "vitest";
import { InMemoryPolicies } from "../../test/builders/fakes.js";
import { aPolicy, published, referencePolicy } from "../../test/builders/policy-builder.js";
import { PolicyCatalog } from "./policy-catalog.js";
import { PolicyRefresher } from "./policy-refresher.js";

const JAN = new Date("2026-01-01T00:00:00Z");
const MAR = new Date("2026-03-01T00:00:00Z");

describe("PolicyCatalog", () => {
  it("has nothing in effect for a market without a policy, or before its first version takes effect", () => {
    const catalog = new PolicyCatalog();
    expect(catalog.inEffect("kr", MAR)).toBeUndefined();
    catalog.add([published(referencePolicy(), 1, MAR)]);
    expect(catalog.inEffect("kr", JAN)).toBeUndefined();
    expect(catalog.inEffect("my", MAR)).toBeUndefined();
  });

  it("puts in effect at t the version with the latest effectiveFrom ≤ t", () => {
    const catalog = new PolicyCatalog();
    // Version 2 is scheduled later than version 3 was: at each moment the latest effectiveFrom wins.
    catalog.add([
      published(referencePolicy(), 1, JAN),
      published(referencePolicy(), 2, new Date("2026-06-01T00:00:00Z")),
      published(referencePolicy(), 3, MAR),
    ]);
    expect(catalog.inEffect("kr", new Date("2026-02-01T00:00:00Z"))?.version).toBe(1);
    expect(catalog.inEffect("kr", MAR)?.version).toBe(3);
    expect(catalog.inEffect("kr", new Date("2026-05-31T23:59:59Z"))?.version).toBe(3);
    expect(catalog.inEffect("kr", new Date("2026-06-01T00:00:00Z"))?.version).toBe(2);
  });

  it("prefers the higher version when two take effect at the same instant", () => {
    const catalog = new PolicyCatalog();
    catalog.add([published(referencePolicy(), 2, JAN), published(referencePolicy(), 1, JAN)]);
    expect(catalog.inEffect("kr", JAN)?.version).toBe(2);
  });

  it("finds a version by policy id or by market, and lists a policy's versions oldest first", () => {
    const catalog = new PolicyCatalog();
    catalog.add([published(referencePolicy(), 2, MAR), published(referencePolicy(), 1, JAN)]);
    catalog.add([published(aPolicy({ id: "my-waiver", market: "my", currency: "MYR" }), 1, JAN)]);
    expect(catalog.version("kr-waiver", 2)?.effectiveFrom).toEqual(MAR);
    expect(catalog.version("kr-waiver", 3)).toBeUndefined();
    expect(catalog.versionOfMarket("my", 1)?.policyId).toBe("my-waiver");
    expect(catalog.versionOfMarket("my", 2)).toBeUndefined();
    expect(catalog.versionsOf("kr-waiver").map((p) => p.version)).toEqual([1, 2]);
    expect(catalog.versionsOf("jp-waiver")).toEqual([]);
    expect(catalog.policyIds()).toEqual(["kr-waiver", "my-waiver"]);
  });

  it("ignores versions it already holds, so reloading is harmless", () => {
    const catalog = new PolicyCatalog();
    catalog.add([published(referencePolicy(), 1, JAN)]);
    catalog.add([published(aPolicy({ roundingIncrement: 1 }), 1, MAR)]);
    expect(catalog.versionsOf("kr-waiver")).toHaveLength(1);
    expect(catalog.inEffect("kr", MAR)?.document.roundingIncrement).toBe(10);
  });
});

describe("PolicyRefresher", () => {
  it("loads every version once, then only what was published since the last marker", async () => {
    const policies = new InMemoryPolicies();
    const catalog = new PolicyCatalog();
    await policies.publish(referencePolicy(), "admin", JAN);
    const refresher = new PolicyRefresher({ policies, catalog, intervalMs: 1000, onError: () => undefined });
    await refresher.load();
    expect(catalog.versionsOf("kr-waiver").map((p) => p.version)).toEqual([1]);

    await policies.publish(aPolicy({ youngDriver: undefined }), "admin", MAR);
    expect(catalog.versionsOf("kr-waiver")).toHaveLength(1);
    await refresher.refresh();
    expect(catalog.versionsOf("kr-waiver").map((p) => p.version)).toEqual([1, 2]);
    expect(catalog.inEffect("kr", MAR)?.version).toBe(2);
  });

  it("reads nothing when the marker has not moved, and shares one refresh among concurrent callers", async () => {
    const policies = new InMemoryPolicies();
    await policies.publish(referencePolicy(), "admin", JAN);
    let lists = 0;
    const counting = Object.assign(Object.create(policies) as InMemoryPolicies, {
      listAll: async () => {
        lists++;
        return policies.listAll();
      },
      listSince: async (marker: string) => {
        lists++;
        return policies.listSince(marker);
      },
    });
    const refresher = new PolicyRefresher({
      policies: counting,
      catalog: new PolicyCatalog(),
      intervalMs: 1000,
      onError: () => undefined,
    });
    await Promise.all([refresher.refresh(), refresher.refresh()]);
    await refresher.refresh();
    expect(lists).toBe(1);
  });
});
