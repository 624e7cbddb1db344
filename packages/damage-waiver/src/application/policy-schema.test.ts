import { readFileSync } from "node:fs";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { referencePolicyText } from "../../test/builders/policy-builder.js";
import { CAR_CLASSES, WAIVER_MODELS } from "../domain/waiver-policy.js";
import { WaiverPolicySchema, waiverPolicySchemaJson } from "./policy-schema.js";

const publishedFile = new URL("../../schemas/waiver-policy.schema.json", import.meta.url);

describe("the waiver policy JSON Schema", () => {
  it("is what schemas/waiver-policy.schema.json publishes (else run: npx tsx scripts/write-waiver-schema.ts)", () => {
    // Compared as data: the file is laid out by Biome, not by JSON.stringify.
    expect(JSON.parse(readFileSync(publishedFile, "utf8"))).toEqual(JSON.parse(waiverPolicySchemaJson()));
  });

  it("accepts the reference policy of spec §1", () => {
    expect(Compile(WaiverPolicySchema).Errors(parse(referencePolicyText, { schema: "core" }))).toEqual([]);
  });

  it("takes the car classes and models from the domain's lists", () => {
    const json = JSON.parse(waiverPolicySchemaJson());
    expect(Object.keys(json.properties.prices.properties)).toEqual([...CAR_CLASSES]);
    expect(json.properties.products.items.properties.model.enum).toEqual([...WAIVER_MODELS]);
  });

  it("gives every property a title and a description, for editors", () => {
    const missing: string[] = [];
    const visit = (schema: Record<string, unknown>, path: string) => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, property] of Object.entries(properties)) {
        const where = `${path}.${key}`;
        if (typeof property.title !== "string" || typeof property.description !== "string") missing.push(where);
        visit(property, where);
        const items = property.items as Record<string, unknown> | undefined;
        if (items !== undefined) visit(items, `${where}[]`);
        for (const value of Object.values(
          (property.patternProperties ?? {}) as Record<string, Record<string, unknown>>,
        )) {
          visit(value, `${where}.*`);
        }
      }
    };
    visit(JSON.parse(waiverPolicySchemaJson()), "");
    expect(missing).toEqual([]);
  });

  it("closes every object to unknown keys", () => {
    const open: string[] = [];
    const visit = (schema: unknown, path: string) => {
      if (typeof schema !== "object" || schema === null) return;
      const node = schema as Record<string, unknown>;
      if (node.type === "object" && node.additionalProperties !== false) open.push(path);
      for (const [key, child] of Object.entries(node)) visit(child, `${path}/${key}`);
    };
    visit(JSON.parse(waiverPolicySchemaJson()), "#");
    expect(open).toEqual([]);
  });
});
