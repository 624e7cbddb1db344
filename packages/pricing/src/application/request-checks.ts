import { MAX_KM } from "../domain/limits.js";
import { InvalidRequestError } from "../domain/pricing-errors.js";

const WIRE_NAMES: Record<string, string> = {
  market: "market",
  carModelId: "car_model_id",
  startAt: "start_at",
  endAt: "end_at",
  token: "token",
  returnedAt: "returned_at",
};

/** The first required field that is absent or empty, as an INVALID_REQUEST naming its wire name. */
export function missingField<T extends object>(
  request: T,
  fields: readonly (keyof T & string)[],
): InvalidRequestError | undefined {
  for (const field of fields) {
    const value = request[field] as unknown;
    const absent =
      value === undefined || value === null || value === "" || (value instanceof Date && Number.isNaN(value.getTime()));
    if (absent) {
      const name = WIRE_NAMES[field] ?? field;
      return new InvalidRequestError(`${name} is required`, [{ field: name, message: "required" }]);
    }
  }
  return undefined;
}

/** A distance must be a whole number of km within MAX_KM. */
export function checkDistance(field: string, km: number | undefined): InvalidRequestError | undefined {
  if (km === undefined || (Number.isSafeInteger(km) && km >= 0 && km <= MAX_KM)) return undefined;
  return new InvalidRequestError(`${field} must be a whole number of km from 0 to ${MAX_KM}`, [
    { field, message: "out of range" },
  ]);
}
