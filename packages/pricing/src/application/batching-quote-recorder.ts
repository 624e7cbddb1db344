import type { Quote } from "../domain/quote.js";
import type { QuoteLog, QuoteRecorder } from "./ports.js";

/** Why quotes were given up on. */
export const QUOTE_DROP_REASONS = ["buffer-full", "write-failed", "closed"] as const;
export type QuoteDropReason = (typeof QUOTE_DROP_REASONS)[number];

export interface BatchingQuoteRecorderOptions {
  /** Quotes per write; a full batch is written at once. Default 500. */
  readonly batchSize?: number;
  /** Everything buffered is written at least this often (ms). Default 200. */
  readonly flushIntervalMs?: number;
  /** Most quotes held (buffered plus being written); beyond it new quotes are dropped. Default 50,000. */
  readonly maxBuffered?: number;
  /** Tries per batch before it is dropped. Default 3. */
  readonly maxAttempts?: number;
  /** Wait before the first retry (ms); doubles on each further retry. Default 100. */
  readonly retryDelayMs?: number;
  /** Told about every failed write, with whether the batch was then dropped. Default: a process warning. */
  readonly onError?: (error: unknown, detail: WriteFailure) => void;
  /** Told how many quotes were written, after each successful write (for a metrics counter). */
  readonly onRecorded?: (count: number) => void;
  /** Told how many quotes were dropped and why (for a metrics counter). */
  readonly onDropped?: (count: number, reason: QuoteDropReason) => void;
}

/** One failed `QuoteLog.append`. */
export interface WriteFailure {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly quotes: number;
  /** True when this was the last attempt and the batch is lost. */
  readonly dropped: boolean;
}

/**
 * Records quotes for analysts without making the Quote call wait on the database: `record` only turns the
 * quote into its log entry (`QuoteLog.entry`, e.g. the row as JSON text) and appends that to an in-memory
 * buffer, and a single background writer sends the buffer to the `QuoteLog` in batches of `batchSize` — as soon as a batch is full, and otherwise every `flushIntervalMs`. There is never more
 * than one write in flight; a failed write is retried `maxAttempts` times with a growing delay, then
 * dropped and counted. When `maxBuffered` quotes are held (the database is down or slow) new quotes are
 * dropped and counted instead of growing memory without bound.
 *
 * **What a crash loses:** the quotes buffered or being written at that moment — at most `maxBuffered`,
 * and in normal operation about `flushIntervalMs` worth of traffic (or one batch). Quotes are an
 * analytical record, not money: a settlement never depends on them (the quote token carries what
 * settlement needs). Call `close()` on shutdown to write what is buffered.
 *
 * @example
 * const recorder = new BatchingQuoteRecorder(new PostgresQuoteLog(db), { onError: (e) => log.error(e) });
 * recorder.record(quote); // returns at once
 * await recorder.close(); // on SIGTERM
 */
export class BatchingQuoteRecorder<Entry = unknown> implements QuoteRecorder {
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly options: BatchingQuoteRecorderOptions;
  private buffer: Entry[] = [];
  private inFlight = 0;
  private writing = false;
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval>;
  /** Counts of quotes ever buffered / taken out of the buffer / done with (written or dropped), in order. */
  private accepted = 0;
  private taken = 0;
  private settled = 0;
  /** The writer keeps going until `taken` reaches this, even for a part batch. */
  private drainTarget = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private recordedCount = 0;
  private droppedCount = 0;

  constructor(
    private readonly log: QuoteLog<Entry>,
    options: BatchingQuoteRecorderOptions = {},
  ) {
    this.options = options;
    this.batchSize = positive(options.batchSize ?? 500, "batchSize");
    this.maxBuffered = positive(options.maxBuffered ?? 50_000, "maxBuffered");
    this.maxAttempts = positive(options.maxAttempts ?? 3, "maxAttempts");
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.timer = setInterval(() => this.flushBuffered(), positive(options.flushIntervalMs ?? 200, "flushIntervalMs"));
    // The timer alone must not keep a process alive; close() drains on shutdown.
    this.timer.unref?.();
  }

  /** Buffers the quote for the next write. Never waits and never throws; drops (and counts) when full or closed. */
  record(quote: Quote): void {
    if (this.closed) {
      this.drop(1, "closed");
      return;
    }
    if (this.pending >= this.maxBuffered) {
      this.drop(1, "buffer-full");
      return;
    }
    let entry: Entry;
    try {
      entry = this.log.entry(quote);
    } catch (error) {
      this.notify(() =>
        (this.options.onError ?? warn)(error, { attempt: 1, maxAttempts: 1, quotes: 1, dropped: true }),
      );
      this.drop(1, "write-failed");
      return;
    }
    this.buffer.push(entry);
    this.accepted += 1;
    if (this.buffer.length >= this.batchSize) this.startWriter();
  }

  /** Resolves once every quote recorded before the call has been written or dropped. Never rejects. */
  flush(): Promise<void> {
    const target = this.accepted;
    if (this.settled >= target) return Promise.resolve();
    this.drainTarget = Math.max(this.drainTarget, target);
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.startWriter();
    return done;
  }

  /** Stops the timer and writes what is buffered; quotes recorded afterwards are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  /** Quotes written to the log so far. */
  get recorded(): number {
    return this.recordedCount;
  }

  /** Quotes given up on so far: buffer full, writes failed, or recorded after close. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Quotes held right now: buffered or being written. */
  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  private flushBuffered(): void {
    if (this.buffer.length === 0) return;
    this.drainTarget = Math.max(this.drainTarget, this.accepted);
    this.startWriter();
  }

  private hasWork(): boolean {
    return this.buffer.length >= this.batchSize || (this.buffer.length > 0 && this.taken < this.drainTarget);
  }

  private startWriter(): void {
    if (this.writing) return;
    this.writing = true;
    // Start on a microtask, so record() returns before any batch is built.
    void Promise.resolve().then(() => this.writeBatches());
  }

  private async writeBatches(): Promise<void> {
    try {
      while (this.hasWork()) {
        const batch = this.buffer.splice(0, this.batchSize);
        this.taken += batch.length;
        this.inFlight = batch.length;
        await this.writeWithRetries(batch);
        this.inFlight = 0;
        this.settled += batch.length;
        this.releaseWaiters();
      }
    } finally {
      // Synchronous with the last hasWork() check: a record() cannot slip in between and be left behind.
      this.writing = false;
    }
  }

  private async writeWithRetries(batch: readonly Entry[]): Promise<void> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      try {
        await this.log.append(batch);
        this.recordedCount += batch.length;
        this.notify(() => this.options.onRecorded?.(batch.length));
        return;
      } catch (error) {
        const dropped = attempt === this.maxAttempts;
        const detail: WriteFailure = { attempt, maxAttempts: this.maxAttempts, quotes: batch.length, dropped };
        this.notify(() => (this.options.onError ?? warn)(error, detail));
        if (!dropped) await sleep(this.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    this.drop(batch.length, "write-failed");
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((waiter) => waiter.target <= this.settled);
    this.waiters = this.waiters.filter((waiter) => waiter.target > this.settled);
    for (const waiter of ready) waiter.resolve();
  }

  private drop(count: number, reason: QuoteDropReason): void {
    this.droppedCount += count;
    this.notify(() => this.options.onDropped?.(count, reason));
  }

  /** Callbacks are the caller's code: a bug there must not stop the writer or reach record()'s caller. */
  private notify(callback: () => void): void {
    try {
      callback();
    } catch {
      // Ignored on purpose: see above.
    }
  }
}

function warn(error: unknown, detail: WriteFailure): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `quote log write failed (attempt ${detail.attempt}/${detail.maxAttempts}, ${detail.quotes} quotes${detail.dropped ? ", dropped" : ""}): ${message}`,
  );
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
