import { describe, expect, it } from "vitest";
import { VersionTimeline } from "./version-timeline.js";

interface Doc {
  id: string;
  version: number;
  market: string;
  effectiveFrom: Date;
}
const at = (iso: string) => new Date(iso);
const doc = (version: number, effectiveFrom: string, id = "kr-standard", market = "kr"): Doc => ({
  id,
  version,
  market,
  effectiveFrom: at(effectiveFrom),
});

describe("VersionTimeline", () => {
  it("puts in effect the version with the latest effectiveFrom already reached", () => {
    const timeline = new VersionTimeline<Doc>((d) => d);
    timeline.add([doc(1, "2026-01-01T00:00:00Z"), doc(2, "2026-12-01T00:00:00Z")]);
    expect(timeline.inEffect("kr", at("2025-12-31T23:59:59Z"))).toBeUndefined();
    expect(timeline.inEffect("kr", at("2026-11-30T23:59:59Z"))?.version).toBe(1);
    expect(timeline.inEffect("kr", at("2026-12-01T00:00:00Z"))?.version).toBe(2);
  });

  it("prefers the higher version on a tie, and a later-published version scheduled earlier once reached", () => {
    const timeline = new VersionTimeline<Doc>((d) => d);
    timeline.add([
      doc(1, "2026-01-01T00:00:00Z"),
      doc(2, "2026-06-01T00:00:00Z"),
      doc(3, "2026-03-01T00:00:00Z"),
      doc(4, "2026-06-01T00:00:00Z"),
    ]);
    expect(timeline.inEffect("kr", at("2026-04-01T00:00:00Z"))?.version).toBe(3);
    expect(timeline.inEffect("kr", at("2026-06-01T00:00:00Z"))?.version).toBe(4);
    expect(timeline.newestOfMarket("kr")?.version).toBe(4);
  });

  it("ignores a version it already holds, so reloading changes nothing", () => {
    const timeline = new VersionTimeline<Doc>((d) => d);
    expect(timeline.add([doc(1, "2026-01-01T00:00:00Z")])).toHaveLength(1);
    expect(timeline.add([doc(1, "2027-01-01T00:00:00Z")])).toHaveLength(0);
    expect(timeline.versionsOf("kr-standard")).toHaveLength(1);
    expect(timeline.version("kr-standard", 1)?.effectiveFrom).toEqual(at("2026-01-01T00:00:00Z"));
  });

  it("keeps markets apart and lists ids", () => {
    const timeline = new VersionTimeline<Doc>((d) => d);
    timeline.add([doc(1, "2026-01-01T00:00:00Z"), doc(1, "2026-01-01T00:00:00Z", "my-standard", "my")]);
    expect(timeline.inEffect("my", at("2026-02-01T00:00:00Z"))?.id).toBe("my-standard");
    expect(timeline.inEffect("jp", at("2026-02-01T00:00:00Z"))).toBeUndefined();
    expect(timeline.ids()).toEqual(["kr-standard", "my-standard"]);
    expect(timeline.versionOfMarket("my", 1)?.id).toBe("my-standard");
  });
});
