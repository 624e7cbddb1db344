import type { PolicyCatalog } from "./policy-catalog.js";
import type { WaiverPolicyRepository } from "./ports.js";

export interface PolicyRefresherDeps {
  readonly policies: WaiverPolicyRepository;
  readonly catalog: PolicyCatalog;
  /** How often to poll the change marker; 1 s lets a version published elsewhere show within a few seconds. */
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Keeps the in-memory policy catalog in step with the database by polling a cheap change marker
 * (docs/decisions/001): a version published by another process shows here within one interval.
 */
export class PolicyRefresher {
  private marker: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: PolicyRefresherDeps) {}

  /** Loads everything once; call before serving. */
  async load(): Promise<void> {
    await this.refresh();
  }

  /** Polls the marker and loads the versions published since. Concurrent calls share one refresh. */
  refresh(): Promise<void> {
    this.running ??= this.refreshNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls every `intervalMs` until `stop`; errors go to `onError` and the next poll tries again. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.refresh().catch(this.deps.onError);
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops polling and waits for a refresh under way. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async refreshNow(): Promise<void> {
    const marker = await this.deps.policies.changeMarker();
    if (marker === this.marker) return;
    const versions =
      this.marker === undefined ? await this.deps.policies.listAll() : await this.deps.policies.listSince(this.marker);
    this.deps.catalog.add(versions);
    this.marker = marker;
  }
}
