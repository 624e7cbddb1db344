/** How a WriteCoalescer groups items into writes. */
export interface CoalescingOptions {
  /** Most writes running at once; items arriving while all of them run wait for the next one. */
  readonly maxInFlight: number;
  /** Most items in one write. */
  readonly maxBatch: number;
  /**
   * Longest an item waits for a write to take it, in ms; then its caller fails. Without it, writes that hang
   * (a connection that stopped answering) would hold every later item without end.
   */
  readonly maxWaitMs: number;
}

interface Waiting<In, Out> {
  readonly item: In;
  /** When it was submitted (epoch ms). */
  readonly since: number;
  readonly resolve: (out: Out) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Hands items to `write` in batches, each item's caller getting its own outcome. An item is written at once
 * while fewer than `maxInFlight` writes run, so nothing waits when the database keeps up; under load, what
 * arrives while every write is busy goes together in the next one, and one statement (one round trip, one
 * commit) carries many items. When a write of several items fails, each is written again on its own, so a
 * bad item fails only its own caller. An item that waits longer than `maxWaitMs` for a write fails.
 *
 * `write` answers one outcome per item, in the order of the items.
 */
export class WriteCoalescer<In, Out> {
  private readonly waiting: Waiting<In, Out>[] = [];
  private inFlight = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly write: (items: readonly In[]) => Promise<readonly Out[]>,
    private readonly options: CoalescingOptions,
  ) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, not ${value}`);
    }
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, since: Date.now(), resolve, reject });
      this.pump();
      if (this.waiting.length > 0) this.watchWaiting();
    });
  }

  /** Checks the waiting items a few times per `maxWaitMs` while there are any. */
  private watchWaiting(): void {
    if (this.sweeper !== undefined) return;
    const { maxWaitMs } = this.options;
    this.sweeper = setInterval(
      () => {
        const limit = Date.now() - maxWaitMs;
        let expired = 0;
        // In submission order, so the expired ones are at the front.
        while (expired < this.waiting.length && (this.waiting[expired]?.since ?? limit) <= limit) expired++;
        for (const waiting of this.waiting.splice(0, expired)) {
          waiting.reject(new Error(`waited ${maxWaitMs} ms for a write: the writes in flight have not finished`));
        }
        if (this.waiting.length === 0) {
          clearInterval(this.sweeper);
          this.sweeper = undefined;
        }
      },
      Math.max(1, Math.ceil(maxWaitMs / 4)),
    );
    // The check alone must not keep a process alive.
    this.sweeper.unref?.();
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: readonly Waiting<In, Out>[]): Promise<void> {
    try {
      settle(batch, await this.write(batch.map((waiting) => waiting.item)));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (waiting) => {
          try {
            settle([waiting], await this.write([waiting.item]));
          } catch (alone) {
            waiting.reject(alone);
          }
        }),
      );
    }
  }
}

function settle<In, Out>(batch: readonly Waiting<In, Out>[], outs: readonly Out[]): void {
  if (outs.length !== batch.length) {
    const error = new Error(`a write of ${batch.length} items answered ${outs.length} outcomes`);
    for (const waiting of batch) waiting.reject(error);
    return;
  }
  for (const [i, waiting] of batch.entries()) waiting.resolve(outs[i] as Out);
}
