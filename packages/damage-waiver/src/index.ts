export { canonicalJson } from "@carfare/kit";
export { type Problem, STATUS_OF_CODE, TRANSPORT_STATUS_OF_CODE } from "./adapters/http/problem.js";
export { buildWaiverApp, DEFAULT_BODY_LIMIT, type WaiverAppDeps } from "./adapters/http/waiver-app.js";
export { waiverMigrations } from "./adapters/postgres/waiver-migrations.js";
export { type AssessIncidentCommand, type AssessIncidentDeps, assessIncident } from "./application/assess-incident.js";
export {
  type ChangeIncidentStatusCommand,
  type ChangeIncidentStatusDeps,
  type ChangeIncidentStatusRefusal,
  changeIncidentStatus,
  type StatusChange,
} from "./application/change-incident-status.js";
export { getIncident } from "./application/get-incident.js";
export { MAX_UPDATE_ATTEMPTS } from "./application/incident-updates.js";
export {
  DEFAULT_INCIDENT_PAGE_SIZE,
  type IncidentPage,
  type ListIncidentsQuery,
  listIncidents,
  MAX_INCIDENT_PAGE_SIZE,
} from "./application/list-incidents.js";
export { getPolicyVersion, listPolicyVersions } from "./application/list-policy-versions.js";
export { PolicyCatalog } from "./application/policy-catalog.js";
export type { PolicySource } from "./application/policy-lookup.js";
export { PolicyRefresher, type PolicyRefresherDeps } from "./application/policy-refresher.js";
export {
  type AuthoredWaiverPolicy,
  PRODUCT_CODE_PATTERN,
  WaiverPolicySchema,
  waiverPolicySchemaJson,
} from "./application/policy-schema.js";
export type {
  Clock,
  IncidentCreateOutcome,
  IncidentCreation,
  IncidentQuery,
  IncidentRepository,
  PolicyPublishOutcome,
  PublishedPolicy,
  WaiverPolicyRepository,
} from "./application/ports.js";
export {
  type PublishPolicyDeps,
  type PublishPolicyOutcome,
  publishPolicy,
} from "./application/publish-policy.js";
export {
  type QuoteWaiverOptionsDeps,
  quoteWaiverOptions,
  type WaiverQuote,
  type WaiverQuoteInput,
} from "./application/quote-waiver-options.js";
export {
  DOCUMENT_FIELD,
  MAX_POLICY_DOCUMENT_BYTES,
  readPolicyDocument,
} from "./application/read-policy-document.js";
export {
  type IncidentReport,
  type ReportedIncident,
  type ReportIncidentCommand,
  type ReportIncidentDeps,
  type ReportIncidentRefusal,
  reportIncident,
} from "./application/report-incident.js";
export { MAX_IDENTIFIER_LENGTH, MAX_TEXT_LENGTH } from "./application/request-checks.js";
export {
  type Assessment,
  EXCLUSIONS,
  type Exclusion,
  INCIDENT_STATUSES,
  type Incident,
  type IncidentEvent,
  type IncidentStatus,
  type Liability,
  type LiabilityBasis,
} from "./domain/incident.js";
export {
  type IncidentAction,
  type IncidentChange,
  type IncidentSnapshot,
  TRANSITIONS,
} from "./domain/incident-lifecycle.js";
export { checkAssessment, computeLiability, MAX_REPAIR_DAYS } from "./domain/liability.js";
export { checkPolicyRules } from "./domain/policy-rules.js";
export {
  checkWaiverPeriod,
  type IneligibleReason,
  MAX_WAIVER_PERIOD_MINUTES,
  quoteWaiver,
  type WaiverOption,
  type WaiverQuoteRequest,
  waiverFee,
} from "./domain/quote-waiver.js";
export * from "./domain/waiver-errors.js";
export {
  type AuthoredPolicyDocument,
  type AuthoredProduct,
  CAR_CLASSES,
  type CappedProduct,
  type CarClass,
  type FixedDeductibleProduct,
  findProduct,
  type ProductPrice,
  WAIVER_MODELS,
  type WaiverModel,
  type WaiverPolicyDocument,
  type WaiverProduct,
} from "./domain/waiver-policy.js";
export { type RunningWaiverService, seedPolicies, startWaiverService, type WaiverServiceOptions } from "./main.js";
