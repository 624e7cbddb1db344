export { AccessTokens } from "./access-tokens.js";
export { canonicalJson, sha256OfCanonicalJson } from "./canonical-json.js";
export { type Environment, envHttpUrl, envInteger, envOptional, envPort, envString } from "./config.js";
export {
  type DictionaryColumn,
  type DictionaryTable,
  describeSchemas,
  missingComments,
  renderDataDictionary,
} from "./database/data-dictionary.js";
export {
  type Database,
  type DatabaseHandle,
  type DatabaseKind,
  type OpenDatabaseOptions,
  openDatabase,
} from "./database/open-database.js";
export { queryRows } from "./database/query-rows.js";
export { advisoryLockKey, type MigrationSet, runMigrations } from "./database/run-migrations.js";
export {
  createDocumentReader,
  DOCUMENT_FIELD,
  type DocumentReaderOptions,
  describe,
  summarizeIssues,
} from "./documents/read-document.js";
export { DomainError, type FieldIssue } from "./domain-error.js";
export { type CounterSeries, type HistogramSeries, LeanCounter, LeanHistogram } from "./lean-metrics.js";
export { createLogger, type Logger } from "./logger.js";
export {
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  type MetricsServer,
  type Registry,
  startMetricsServer,
} from "./metrics.js";
export { floorTo, isValidAmount, MAX_INPUT_AMOUNT, mulDivFloor, percentFloorTo } from "./money.js";
export { err, ok, type Result } from "./result.js";
export {
  type AlertClock,
  createSlackErrorAlerts,
  type SlackErrorAlertStats,
  type SlackErrorAlerts,
  type SlackErrorAlertsOptions,
  systemAlertClock,
} from "./slack-error-alerts.js";
export { createTestDatabase, databasesUnderTest, type TestDatabase } from "./testing/test-database.js";
export { ChangePoller, type ChangePollerOptions, type PolledSource } from "./versions/change-poller.js";
export { type VersionKey, VersionTimeline } from "./versions/version-timeline.js";
