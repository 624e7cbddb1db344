export type { CarClass, WaiverPolicyDocument, WaiverProduct } from "./domain/waiver-policy.js";
