export { DomainError, type FieldIssue } from "./domain-error.js";
export { floorTo, isValidAmount, MAX_INPUT_AMOUNT, mulDivFloor, percentFloorTo } from "./money.js";
export { err, ok, type Result } from "./result.js";
