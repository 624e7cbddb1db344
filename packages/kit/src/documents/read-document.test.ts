import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { createDocumentReader, DOCUMENT_FIELD, summarizeIssues } from "./read-document.js";

const read = createDocumentReader({
  schema: Type.Object(
    {
      id: Type.String({ minLength: 1 }),
      models: Type.Array(
        Type.Object({ name: Type.String(), rate: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      ),
    },
    { additionalProperties: false },
  ),
  name: "test document",
  fields: "the test's fields",
  maxBytes: 200,
});

const issues = (text: string) => {
  const result = read(text);
  return result.ok ? [] : result.error;
};

describe("createDocumentReader", () => {
  it("reads YAML and JSON alike", () => {
    expect(read("id: a\nmodels: [{ name: x, rate: 1 }]\n")).toEqual({
      ok: true,
      value: { id: "a", models: [{ name: "x", rate: 1 }] },
    });
    expect(read('{"id":"a","models":[]}').ok).toBe(true);
  });

  it("names every schema problem by the path an author reads", () => {
    expect(issues("id: a\nmodels: [{ name: x, rate: -1, colour: red }, { rate: 1.5 }]\n")).toEqual([
      { field: "models[0].colour", message: "unknown field" },
      { field: "models[0].rate", message: "must be at least 0, got -1" },
      { field: "models[1].name", message: "required" },
      { field: "models[1].rate", message: "must be a whole number, got 1.5" },
    ]);
  });

  it("refuses broken syntax, a top level that is not a mapping, and a text over the size limit", () => {
    expect(issues("id: [a\n")[0]?.message).toMatch(/^is not valid YAML or JSON at line \d+, column \d+/);
    expect(issues("- 1\n")).toEqual([
      { field: DOCUMENT_FIELD, message: "must be a mapping of the test's fields, got a list" },
    ]);
    expect(issues(`id: ${"x".repeat(300)}\nmodels: []\n`)[0]?.message).toMatch(/at most 0.2 KB$/);
  });

  it("refuses text PostgreSQL could not store: a NUL character or half a surrogate pair", () => {
    expect(issues('id: a\nmodels: [{ name: "x\\0y", rate: 1 }]\n')).toEqual([
      { field: "models[0].name", message: "must not contain a NUL character (\\0)" },
    ]);
    expect(issues('id: "\\ud800"\nmodels: []\n')).toEqual([
      { field: "id", message: "must be valid Unicode text (it holds half of a surrogate pair)" },
    ]);
  });

  it("summarises one problem or many", () => {
    expect(summarizeIssues("test document", [{ field: "id", message: "required" }])).toBe(
      "The test document is invalid: id: required",
    );
    expect(
      summarizeIssues("test document", [
        { field: "a", message: "x" },
        { field: "b", message: "y" },
      ]),
    ).toBe("The test document has 2 problems; the first: a: x");
  });
});
