/**
 * The waiver policy document (spec/damage-waiver.md §1) as the domain sees it once parsed and validated.
 * Contexts share no code, so the car classes are this context's own copy of the glossary's list.
 */

export const CAR_CLASSES = ["LIGHT", "COMPACT", "MIDSIZE", "LARGE", "SUV", "VAN", "IMPORT"] as const;
export type CarClass = (typeof CAR_CLASSES)[number];

export const WAIVER_MODELS = ["CAPPED", "FIXED_DEDUCTIBLE"] as const;
export type WaiverModel = (typeof WAIVER_MODELS)[number];

/** A waiver product: a tier of the waiver chosen at booking (e.g. CAP_300K). */
export type WaiverProduct = CappedProduct | FixedDeductibleProduct;

interface ProductBase {
  readonly code: string;
  readonly name: string;
  readonly minDriverAge: number;
  readonly minLicenseYears: number;
  /** False for legacy products: kept so old incidents still compute, never offered again. */
  readonly sellable: boolean;
}

export interface CappedProduct extends ProductBase {
  readonly model: "CAPPED";
  /** The most a customer pays per accident. */
  readonly selfPayCap: number;
}

export interface FixedDeductibleProduct extends ProductBase {
  readonly model: "FIXED_DEDUCTIBLE";
  /** The fixed amount per accident of a legacy product. */
  readonly deductible: number;
}

export interface ProductPrice {
  readonly hourly: number;
  readonly daily: number;
}

export interface WaiverPolicyDocument {
  readonly id: string;
  readonly market: string;
  readonly currency: string;
  readonly roundingIncrement: number;
  /** In the order the policy lists them; waiver quotes keep this order. */
  readonly products: readonly WaiverProduct[];
  /** Car class → product code → price; a missing entry means "not offered". */
  readonly prices: Readonly<Partial<Record<CarClass, Readonly<Record<string, ProductPrice>>>>>;
  readonly youngDriver?: { readonly underAge: number; readonly surchargePercent: number };
  readonly lossOfUse: { readonly percentOfDailyRate: number; readonly maxDays: number };
  /** RFC 3339 instant from which this version may be used; default: its publication time. */
  readonly effectiveFrom?: string;
}

/**
 * A product as written in a policy document, before `checkPolicyRules` has tied its fields to its model:
 * either amount may be present, and `sellable` may be left out (default true).
 */
export interface AuthoredProduct {
  readonly code: string;
  readonly name: string;
  readonly model: WaiverModel;
  readonly selfPayCap?: number;
  readonly deductible?: number;
  readonly minDriverAge: number;
  readonly minLicenseYears: number;
  readonly sellable?: boolean;
}

/** A waiver policy document as authored; every `WaiverPolicyDocument` is also one. */
export interface AuthoredPolicyDocument extends Omit<WaiverPolicyDocument, "products"> {
  readonly products: readonly AuthoredProduct[];
}

/** The product of the policy with this code, sellable or not. */
export function findProduct(document: WaiverPolicyDocument, code: string): WaiverProduct | undefined {
  return document.products.find((product) => product.code === code);
}
