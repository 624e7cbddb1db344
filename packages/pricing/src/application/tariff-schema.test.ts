import { readFileSync } from "node:fs";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CAR_CLASSES, FUELS, WEEKDAYS } from "../domain/tariff.js";
import { TariffDocumentSchema, tariffSchemaJson } from "./tariff-schema.js";

const publishedFile = new URL("../../../../schemas/tariff.schema.json", import.meta.url);
const reference = parse(readFileSync(new URL("../../test/fixtures/reference-tariff.yaml", import.meta.url), "utf8"), {
  schema: "core",
});

describe("the tariff JSON Schema", () => {
  it("is what schemas/tariff.schema.json publishes (else run: npx tsx scripts/write-schemas.ts)", () => {
    // Compared as data: the file is laid out by Biome, not by JSON.stringify.
    expect(JSON.parse(readFileSync(publishedFile, "utf8"))).toEqual(JSON.parse(tariffSchemaJson()));
  });

  it("accepts the reference tariff of spec §2", () => {
    expect(Compile(TariffDocumentSchema).Errors(reference)).toEqual([]);
  });

  it("takes weekdays, car classes and fuels from the domain's lists", () => {
    const json = JSON.parse(tariffSchemaJson());
    expect(json.properties.weekendDays.items.enum).toEqual([...WEEKDAYS]);
    expect(json.properties.carModels.items.properties.class.enum).toEqual([...CAR_CLASSES]);
    expect(json.properties.carModels.items.properties.fuel.enum).toEqual([...FUELS]);
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
      }
    };
    visit(JSON.parse(tariffSchemaJson()), "");
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
    visit(JSON.parse(tariffSchemaJson()), "#");
    expect(open).toEqual([]);
  });
});
