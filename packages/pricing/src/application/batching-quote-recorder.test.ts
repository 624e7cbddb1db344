import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Quote } from "../domain/quote.js";
import { BatchingQuoteRecorder, type BatchingQuoteRecorderOptions } from "./batching-quote-recorder.js";
import type { QuoteLog } from "./ports.js";

/** Quotes are opaque to the recorder: only their identity matters here. */
function quotes(count: number, from = 0): Quote[] {
  return Array.from({ length: count }, (_, i) => ({ quoteId: `q${from + i}` }) as Quote);
}

/** A QuoteLog that remembers each batch; `failNext` makes the next writes fail, `hold` keeps them pending. */
class FakeQuoteLog implements QuoteLog<string> {
  readonly batches: string[][] = [];
  failures: unknown[] = [];
  private held: (() => void)[] = [];
  holding = false;

  entry(quote: Quote): string {
    return quote.quoteId;
  }

  async append(ids: readonly string[]): Promise<void> {
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.batches.push([...ids]);
  }

  release(): void {
    this.holding = false;
    for (const resolve of this.held.splice(0)) resolve();
  }

  get sizes(): number[] {
    return this.batches.map((b) => b.length);
  }
}

describe("BatchingQuoteRecorder", () => {
  let log: FakeQuoteLog;
  let recorder: BatchingQuoteRecorder;
  const make = (options: BatchingQuoteRecorderOptions = {}) => {
    recorder = new BatchingQuoteRecorder(log, { batchSize: 3, flushIntervalMs: 200, onError: () => {}, ...options });
    return recorder;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    log = new FakeQuoteLog();
  });
  afterEach(async () => {
    log.release();
    await recorder?.close();
    vi.useRealTimers();
  });

  it("writes nothing until a batch is full or the interval has passed", async () => {
    make();
    for (const quote of quotes(2)) recorder.record(quote);

    await vi.advanceTimersByTimeAsync(199);
    expect(log.batches).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(log.batches).toEqual([["q0", "q1"]]);
    expect(recorder.recorded).toBe(2);
  });

  it("writes a full batch at once, without waiting for the interval", async () => {
    make();
    for (const quote of quotes(3)) recorder.record(quote);
    expect(log.batches).toEqual([]); // record() itself never writes

    await vi.advanceTimersByTimeAsync(0);

    expect(log.batches).toEqual([["q0", "q1", "q2"]]);
  });

  it("keeps at most one write in flight, in the order quotes were recorded", async () => {
    make();
    let concurrent = 0;
    let most = 0;
    const append = log.append.bind(log);
    log.append = async (batch) => {
      concurrent += 1;
      most = Math.max(most, concurrent);
      await append(batch);
      concurrent -= 1;
    };
    log.holding = true;
    for (const quote of quotes(7)) recorder.record(quote);
    await vi.advanceTimersByTimeAsync(500);
    expect([concurrent, recorder.pending]).toEqual([1, 7]);

    log.release();
    await recorder.flush();

    expect(log.batches.flat()).toEqual(quotes(7).map((q) => q.quoteId));
    expect(log.sizes).toEqual([3, 3, 1]);
    expect(most).toBe(1);
  });

  it("drops and counts new quotes while maxBuffered are held", async () => {
    const onDropped = vi.fn();
    make({ maxBuffered: 5, onDropped });
    log.holding = true;

    for (const quote of quotes(8)) recorder.record(quote);

    expect(recorder.pending).toBe(5);
    expect(recorder.dropped).toBe(3);
    expect(onDropped).toHaveBeenCalledWith(1, "buffer-full");
    log.release();
    await recorder.flush();
    expect(log.batches.flat()).toEqual(["q0", "q1", "q2", "q3", "q4"]);
  });

  it("retries a failed write and then records the batch", async () => {
    const onError = vi.fn();
    make({ onError, retryDelayMs: 100 });
    log.failures = [new Error("connection reset")];

    for (const quote of quotes(3)) recorder.record(quote);
    await vi.advanceTimersByTimeAsync(0);
    expect(log.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);

    expect(log.batches).toEqual([["q0", "q1", "q2"]]);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(new Error("connection reset"), {
      attempt: 1,
      maxAttempts: 3,
      quotes: 3,
      dropped: false,
    });
    expect(recorder.recorded).toBe(3);
    expect(recorder.dropped).toBe(0);
  });

  it("drops and counts a batch after maxAttempts failed writes, then goes on with the next", async () => {
    const onError = vi.fn();
    const onDropped = vi.fn();
    make({ onError, onDropped, maxAttempts: 3, retryDelayMs: 10 });
    log.failures = [new Error("down"), new Error("down"), new Error("down")];

    for (const quote of quotes(4)) recorder.record(quote);
    const flushed = recorder.flush();
    await vi.advanceTimersByTimeAsync(30); // the retries wait 10 ms, then 20 ms
    await flushed;

    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError).toHaveBeenLastCalledWith(new Error("down"), {
      attempt: 3,
      maxAttempts: 3,
      quotes: 3,
      dropped: true,
    });
    expect(onDropped).toHaveBeenCalledWith(3, "write-failed");
    expect(log.batches).toEqual([["q3"]]);
    expect([recorder.recorded, recorder.dropped, recorder.pending]).toEqual([1, 3, 0]);
  });

  it("drops and counts a quote the log cannot make an entry of, without throwing to the caller", async () => {
    const onError = vi.fn();
    const onDropped = vi.fn();
    make({ onError, onDropped });
    log.entry = (quote) => {
      if (quote.quoteId === "q1") throw new Error("unserialisable");
      return quote.quoteId;
    };

    expect(() => {
      for (const quote of quotes(4)) recorder.record(quote);
    }).not.toThrow();
    await recorder.flush();

    expect(log.batches).toEqual([["q0", "q2", "q3"]]);
    expect(onDropped).toHaveBeenCalledWith(1, "write-failed");
    expect(onError).toHaveBeenCalledTimes(1);
    expect([recorder.recorded, recorder.dropped, recorder.pending]).toEqual([3, 1, 0]);
  });

  it("never lets a failure reach the caller of record, even a log that throws at once", async () => {
    make({ maxAttempts: 1 });
    log.append = () => {
      throw new Error("synchronous bug");
    };

    expect(() => {
      for (const quote of quotes(3)) recorder.record(quote);
    }).not.toThrow();
    await recorder.flush();

    expect(recorder.dropped).toBe(3);
  });

  it("flush() writes everything recorded before it, in batches, even under continued traffic", async () => {
    make();
    for (const quote of quotes(5)) recorder.record(quote);

    const flushed = recorder.flush();
    for (const quote of quotes(2, 5)) recorder.record(quote);
    await flushed;

    expect(log.batches.flat().slice(0, 5)).toEqual(["q0", "q1", "q2", "q3", "q4"]);
  });

  it("close() writes what is buffered, stops the timer and drops what comes after", async () => {
    const onDropped = vi.fn();
    make({ onDropped });
    for (const quote of quotes(2)) recorder.record(quote);

    await recorder.close();
    recorder.record(quotes(1, 9)[0] as Quote);

    expect(log.batches).toEqual([["q0", "q1"]]);
    expect(vi.getTimerCount()).toBe(0);
    expect(onDropped).toHaveBeenCalledWith(1, "closed");
    expect([recorder.recorded, recorder.dropped, recorder.pending]).toEqual([2, 1, 0]);
  });

  it("reports written quotes to onRecorded for a metrics counter", async () => {
    const onRecorded = vi.fn();
    make({ onRecorded });
    for (const quote of quotes(4)) recorder.record(quote);

    await recorder.flush();

    expect(onRecorded.mock.calls).toEqual([[3], [1]]);
  });

  it("refuses nonsensical sizes", () => {
    expect(() => make({ batchSize: 0 })).toThrow(RangeError);
    recorder = make();
  });
});
