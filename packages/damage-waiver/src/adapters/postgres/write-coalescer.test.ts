import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WriteCoalescer } from "./write-coalescer.js";

/** A write that doubles numbers, recording each batch, and finishing only when `release` is called. */
function recordingWrite(fails: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: readonly number[]) => {
    batches.push([...items]);
    return new Promise<number[]>((resolve, reject) => {
      pending.push(() =>
        items.some(fails) ? reject(new Error(`bad item in ${items.join(",")}`)) : resolve(items.map((n) => n * 2)),
      );
    });
  };
  const releaseAll = async () => {
    while (pending.length > 0) {
      for (const release of pending.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { write, batches, releaseAll };
}

describe("WriteCoalescer", () => {
  it("writes a lone item at once, without waiting for others", async () => {
    const { write, batches, releaseAll } = recordingWrite();
    const coalescer = new WriteCoalescer(write, { maxInFlight: 2, maxBatch: 10, maxWaitMs: 1000 });
    const doubled = coalescer.submit(21);
    expect(batches).toEqual([[21]]);
    await releaseAll();
    expect(await doubled).toBe(42);
  });

  it("puts what arrives while every write runs into the next write, up to maxBatch items", async () => {
    const { write, batches, releaseAll } = recordingWrite();
    const coalescer = new WriteCoalescer(write, { maxInFlight: 2, maxBatch: 3, maxWaitMs: 1000 });
    const outcomes = Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => coalescer.submit(n)));
    expect(batches).toEqual([[1], [2]]);
    await releaseAll();
    expect(await outcomes).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(batches).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
  });

  it("writes a failed batch again item by item, so that only the bad item's caller fails", async () => {
    const { write, batches, releaseAll } = recordingWrite((n) => n === 4);
    const coalescer = new WriteCoalescer(write, { maxInFlight: 1, maxBatch: 10, maxWaitMs: 1000 });
    const outcomes = [1, 3, 4, 5].map((n) => coalescer.submit(n).catch((error: Error) => error.message));
    await releaseAll();
    expect(await Promise.all(outcomes)).toEqual([2, 6, "bad item in 4", 10]);
    expect(batches).toEqual([[1], [3, 4, 5], [3], [4], [5]]);
  });

  it("fails every item of a write that answers the wrong number of outcomes", async () => {
    const coalescer = new WriteCoalescer(async (items: readonly number[]) => items.slice(1), {
      maxInFlight: 1,
      maxBatch: 10,
      maxWaitMs: 1000,
    });
    await expect(coalescer.submit(1)).rejects.toThrow("a write of 1 items answered 0 outcomes");
  });

  describe("when a write hangs", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("fails the items that waited maxWaitMs for it, and takes new ones once it ends", async () => {
      vi.useFakeTimers();
      const { write, batches, releaseAll } = recordingWrite();
      const coalescer = new WriteCoalescer(write, { maxInFlight: 1, maxBatch: 10, maxWaitMs: 1000 });
      const hanging = coalescer.submit(1);
      const early = coalescer.submit(2).catch((error: Error) => error.message);
      await vi.advanceTimersByTimeAsync(600);
      const late = coalescer.submit(3).catch((error: Error) => error.message);
      await vi.advanceTimersByTimeAsync(500);

      expect(await early).toBe("waited 1000 ms for a write: the writes in flight have not finished");
      expect(batches).toEqual([[1]]);
      vi.useRealTimers();
      await releaseAll();
      expect(await hanging).toBe(2);
      expect(await late).toBe(6);
      expect(batches).toEqual([[1], [3]]);
    });
  });

  it("refuses limits that are not positive integers", () => {
    const write = async (items: readonly number[]) => items;
    expect(() => new WriteCoalescer(write, { maxInFlight: 0, maxBatch: 1, maxWaitMs: 1000 })).toThrow("maxInFlight");
    expect(() => new WriteCoalescer(write, { maxInFlight: 1, maxBatch: 1.5, maxWaitMs: 1000 })).toThrow("maxBatch");
    expect(() => new WriteCoalescer(write, { maxInFlight: 1, maxBatch: 1, maxWaitMs: -1 })).toThrow("maxWaitMs");
  });

  it("answers every caller with its own outcome, and keeps within its limits, whatever the timing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, maxInFlight, maxBatch) => {
          let running = 0;
          let mostRunning = 0;
          let largest = 0;
          const coalescer = new WriteCoalescer(
            async (items: readonly number[]) => {
              running++;
              mostRunning = Math.max(mostRunning, running);
              largest = Math.max(largest, items.length);
              for (let turn = 0; turn < (items[0] ?? 0) % 4; turn++) await new Promise(setImmediate);
              running--;
              return items.map((n) => -n);
            },
            { maxInFlight, maxBatch, maxWaitMs: 60_000 },
          );
          const outcomes: Promise<number>[] = [];
          for (const [i, delay] of delays.entries()) {
            for (let turn = 0; turn < delay; turn++) await Promise.resolve();
            outcomes.push(coalescer.submit(i * 4 + delay));
          }
          expect(await Promise.all(outcomes)).toEqual(delays.map((delay, i) => -(i * 4 + delay)));
          expect(mostRunning).toBeLessThanOrEqual(maxInFlight);
          expect(largest).toBeLessThanOrEqual(maxBatch);
        },
      ),
    );
  });
});
