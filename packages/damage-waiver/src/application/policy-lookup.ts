import type { PolicyCatalog } from "./policy-catalog.js";
import type { PublishedPolicy } from "./ports.js";

/** Where incident use cases find policy versions: the in-memory catalog, and how to bring it up to date. */
export interface PolicySource {
  readonly catalog: PolicyCatalog;
  /**
   * Reloads the catalog from the database (normally `PolicyRefresher.refresh`). Called once when a version
   * is not found, because another process may have published it within the last polling interval.
   */
  readonly refreshCatalog?: () => Promise<void>;
}

/** The version `find` picks from the catalog, refreshing it once if it is not there yet. */
export async function findPolicy(
  source: PolicySource,
  find: (catalog: PolicyCatalog) => PublishedPolicy | undefined,
): Promise<PublishedPolicy | undefined> {
  const found = find(source.catalog);
  if (found !== undefined || source.refreshCatalog === undefined) return found;
  await source.refreshCatalog();
  return find(source.catalog);
}
