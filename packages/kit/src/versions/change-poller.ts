/** Something held in memory that follows a table: a cheap change marker, and how to load what changed. */
export interface PolledSource {
  /** An opaque value that changes whenever the source changes (e.g. a max sequence number). */
  marker(): Promise<string>;
  /** Loads what changed since `previous` (undefined on the first load: everything). */
  load(previous: string | undefined): Promise<void>;
}

export interface ChangePollerOptions {
  /** How often to poll the markers. */
  readonly intervalMs: number;
  /** Told about a failed poll; the next one tries again and what was loaded stays served. */
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps in-memory copies in step with the database by polling change markers (docs/decisions/001): a
 * change made by another process shows here within one interval. Concurrent refreshes share one run.
 */
export class ChangePoller {
  private readonly markers: (string | undefined)[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sources: readonly PolledSource[],
    private readonly options: ChangePollerOptions,
  ) {
    this.markers = sources.map(() => undefined);
  }

  /** Loads everything once; call before serving. */
  async load(): Promise<void> {
    await this.refresh();
  }

  /** Polls the markers and loads what changed. */
  refresh(): Promise<void> {
    this.running ??= this.refreshNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls every `intervalMs` until `stop`; the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.refresh().catch(this.options.onError);
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops polling and waits for a refresh under way. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async refreshNow(): Promise<void> {
    const markers = await Promise.all(this.sources.map((source) => source.marker()));
    for (const [i, source] of this.sources.entries()) {
      const previous = this.markers[i];
      if (markers[i] === previous) continue;
      await source.load(previous);
      this.markers[i] = markers[i];
    }
  }
}
