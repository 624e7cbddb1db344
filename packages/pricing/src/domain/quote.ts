import type { DayType } from "./tariff.js";

export type QuoteLineCode =
  | "RENTAL_FEE"
  | "LONG_RENTAL_DISCOUNT"
  | "MEMBER_DISCOUNT"
  | "COUPON_DISCOUNT"
  | "DELIVERY_FEE"
  | "DISTANCE_FEE_ESTIMATE";

export type SettlementLineCode = "DISTANCE_FEE" | "LATE_RETURN_FEE" | "EARLY_RETURN_CREDIT";

/** One priced component. Discounts carry negative amounts; labels are for people, codes for programs. */
export interface PriceLine<C extends string = string> {
  readonly code: C;
  readonly label: string;
  readonly amount: number;
}

/** Slots of one cap window that share a day type, a time band and therefore a slot price. */
export interface SlotGroup {
  readonly dayType: DayType;
  /** The time band's name, or "" outside every band. */
  readonly timeBand: string;
  readonly slotPrice: number;
  readonly count: number;
}

/** How one cap window was priced: enough to recompute the rental fee by hand. */
export interface WindowExplanation {
  readonly startAt: Date;
  readonly endAt: Date;
  readonly slotGroups: readonly SlotGroup[];
  readonly sum: number;
  readonly cap: number;
  readonly fee: number;
}

/** What a customer asks to have priced (spec §3 inputs). */
export interface RentalRequest {
  readonly market: string;
  readonly carModelId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  /** "" or absent: no member tier. */
  readonly memberTier?: string;
  readonly couponCode?: string;
  readonly delivery?: boolean;
  readonly estimatedKm?: number;
  readonly explain?: boolean;
}

/** The amounts of a priced rental (spec §3 steps 5–10), before it is given an id, a token and an expiry. */
export interface RentalPrice {
  readonly rentalFee: number;
  readonly longRentalDiscount: number;
  readonly memberDiscount: number;
  readonly couponDiscount: number;
  readonly deliveryFee: number;
  readonly distanceFeeEstimate: number;
  readonly dueAtBooking: number;
  readonly estimatedAfterReturn: number;
  readonly totalEstimate: number;
  readonly lines: readonly PriceLine<QuoteLineCode>[];
  /** Present only when the request asked for an explanation. */
  readonly explanation?: readonly WindowExplanation[];
}

/** A priced offer: the price plus identity, tariff version, expiry and the signed token. */
export interface Quote extends RentalPrice {
  readonly quoteId: string;
  readonly market: string;
  readonly carModelId: string;
  readonly carClass: string;
  readonly tariffId: string;
  readonly tariffVersion: number;
  readonly currency: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly memberTier: string;
  readonly couponCode: string;
  readonly delivery: boolean;
  readonly estimatedKm?: number;
  readonly quotedAt: Date;
  readonly expiresAt: Date;
  readonly token: string;
}

/** What is due after return (spec §4). */
export interface Settlement {
  readonly quoteId: string;
  readonly market: string;
  readonly tariffId: string;
  readonly tariffVersion: number;
  readonly currency: string;
  readonly returnedAt: Date;
  readonly drivenKm: number;
  readonly lines: readonly PriceLine<"DISTANCE_FEE" | "LATE_RETURN_FEE">[];
  readonly credits: readonly PriceLine<"EARLY_RETURN_CREDIT">[];
  readonly dueAfterReturn: number;
  readonly settledAt: Date;
}
