import { ChangePoller } from "@carfare/kit";
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
export class PolicyRefresher extends ChangePoller {
  constructor(deps: PolicyRefresherDeps) {
    super(
      [
        {
          marker: () => deps.policies.changeMarker(),
          load: async (previous) => {
            deps.catalog.add(
              previous === undefined ? await deps.policies.listAll() : await deps.policies.listSince(previous),
            );
          },
        },
      ],
      { intervalMs: deps.intervalMs, onError: deps.onError },
    );
  }
}
