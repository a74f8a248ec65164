import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { ROOT } from "../../support/helpers.js";

const schema = JSON.parse(readFileSync(join(ROOT, "schemas", "portmate.schema.json"), "utf8")) as object;

/** Every property schema of the JSON Schema, with its path, so each can be checked for a description. */
function properties(node: unknown, path: string, out: Array<[string, Record<string, unknown>]>) {
  if (!node || typeof node !== "object") return out;
  const record = node as Record<string, unknown>;
  for (const [name, child] of Object.entries((record.properties as Record<string, unknown>) ?? {})) {
    out.push([`${path}.${name}`, child as Record<string, unknown>]);
    properties(child, `${path}.${name}`, out);
  }
  for (const key of ["definitions", "patternProperties"]) {
    for (const [name, child] of Object.entries((record[key] as Record<string, unknown>) ?? {})) properties(child, `${path}.${name}`, out);
  }
  for (const key of ["oneOf", "anyOf", "items", "additionalProperties"]) {
    const value = record[key];
    for (const child of Array.isArray(value) ? value : [value]) properties(child, path, out);
  }
  return out;
}

describe("the JSON Schema", () => {
  it("describes every field, so editors can show help", () => {
    const fields = properties(schema, "", []);
    expect(fields.length).toBeGreaterThan(25);
    const undocumented = fields.filter(([, field]) => typeof field.description !== "string" || !(field.description as string).trim()).map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  const files = [
    join(ROOT, "portmate.yaml"),
    ...readdirSync(join(ROOT, "examples"))
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => join(ROOT, "examples", name)),
  ];

  it.each(files)("accepts %s", (file) => {
    const { config } = loadConfig({ file, env: { ...process.env } });
    expect(config.services.size).toBeGreaterThan(0);
  });
});
