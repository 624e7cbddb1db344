import { describe, expect, it } from "vitest";
import { ChangePoller } from "./change-poller.js";

function source() {
  const state = { marker: "0", loads: [] as (string | undefined)[] };
  return {
    state,
    polled: {
      marker: async () => state.marker,
      load: async (previous: string | undefined) => void state.loads.push(previous),
    },
  };
}

describe("ChangePoller", () => {
  it("loads everything first, then only when a marker moves, telling the loader where it left off", async () => {
    const a = source();
    const b = source();
    const poller = new ChangePoller([a.polled, b.polled], { intervalMs: 1000, onError: () => undefined });
    await poller.load();
    expect([a.state.loads, b.state.loads]).toEqual([[undefined], [undefined]]);
    await poller.refresh();
    expect(a.state.loads).toHaveLength(1);
    a.state.marker = "7";
    await poller.refresh();
    expect([a.state.loads, b.state.loads]).toEqual([[undefined, "0"], [undefined]]);
  });

  it("shares one run between concurrent refreshes", async () => {
    const a = source();
    let markerCalls = 0;
    const poller = new ChangePoller([{ ...a.polled, marker: async () => String(++markerCalls) }], {
      intervalMs: 1000,
      onError: () => undefined,
    });
    await Promise.all([poller.refresh(), poller.refresh(), poller.refresh()]);
    expect(markerCalls).toBe(1);
  });

  it("retries a failed load on the next poll, and reports failures of the timer's polls", async () => {
    let fail = true;
    const loads: (string | undefined)[] = [];
    const errors: unknown[] = [];
    const poller = new ChangePoller(
      [
        {
          marker: async () => "1",
          load: async (previous) => {
            if (fail) throw new Error("database down");
            loads.push(previous);
          },
        },
      ],
      { intervalMs: 5, onError: (error) => errors.push(error) },
    );
    await expect(poller.refresh()).rejects.toThrow("database down");
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(errors.length).toBeGreaterThan(0);
    fail = false;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await poller.stop();
    expect(loads).toEqual([undefined]);
  });
});
