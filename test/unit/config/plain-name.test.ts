import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { plainName } from "../../../src/config/plain-name.js";
import { anyConfigText, validConfigs } from "../../support/fuzz-inputs.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** What the YAML parser says the top-level `name` is, as the project name reads it; "unparsable" when it throws. */
function parserName(text: string): string | undefined | "unparsable" {
  try {
    const name = (parse(text) as { name?: unknown } | null)?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return "unparsable";
  }
}

/** plainName agrees with the parser on every text the parser reads: it answers the same, or leaves it to the parser. */
function agrees(text: string): void {
  const plain = plainName(text);
  const parsed = parserName(text);
  if (plain === undefined || parsed === "unparsable") return;
  expect(plain.name, text).toBe(parsed);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules") return [];
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/** Lines a portmate.yaml's top level is made of, the plain and the odd. */
const LINE = fc.oneof(
  fc.constantFrom(
    "name: shop",
    "name: 'shop'",
    'name: "shop"',
    "name: shop # the project",
    "name:  shop  ",
    "name:\tshop",
    "name : shop",
    "name: My Shop",
    "name: 123",
    "name: 1e3",
    "name: 0x1f",
    "name: true",
    "name: null",
    "name: ~",
    "name:",
    "name: &a shop",
    "name: *a",
    "name: !!str 123",
    "name: [a]",
    "name: {a: 1}",
    "name: a: b",
    "name: a#b",
    'name: "a\\x62c"',
    "name: 'it''s'",
    "name: |",
    "name: >",
    "name: -shop",
    "name: .shop",
    "Name: shop",
    "names: shop",
    '"name": shop',
    "'name': shop",
    "? name",
    ": shop",
    "{name: shop}",
    "- name: shop",
    "---",
    "...",
    "%YAML 1.2",
    "# name: commented",
    "x-base: &base",
    "<<: *base",
    "services:",
    "  api:",
    "    name: nested",
    "    command: node api.js",
    "  shop",
    "  # an indented comment",
    "ports:",
    "  range: 8000-9000",
    "env_file: .env",
    "description: a text",
    '  "continued"',
    "",
  ),
  fc.string({ maxLength: 12 }).map((text) => `name: ${text}`),
  fc.string({ maxLength: 12 }),
);

describe("reading the project's name without the YAML parser", () => {
  it("reads the plain forms", () => {
    expect(plainName("name: shop\nservices:\n  a:\n    command: x\n")).toEqual({ name: "shop" });
    expect(plainName("# the project\nname: 'shop'   # ours\n")).toEqual({ name: "shop" });
    expect(plainName('\uFEFFname: "shop"\r\nservices: {}\r\n')).toEqual({ name: "shop" });
    expect(plainName("services:\n  a:\n    name: nested\n")).toEqual({ name: undefined });
  });

  it("leaves to the parser what a line cannot tell", () => {
    for (const text of [
      "name: &a shop",
      "name: 123",
      "name: true",
      "name:\n  shop",
      "name: a\nname: b",
      "---\nname: shop",
      "{name: shop}",
      '"name": shop',
      "name: shop\n  more",
    ]) {
      expect(plainName(text), text).toBeUndefined();
    }
  });

  it("agrees with the parser on every config of the project, its examples and its test fixtures", () => {
    const files = yamlFiles(ROOT).filter((path) => !path.includes(`${join(ROOT, "test", "fixtures", "export")}`));
    expect(files.length).toBeGreaterThan(10);
    for (const path of files) agrees(readFileSync(path, "utf8"));
    for (const { text } of validConfigs()) agrees(text);
  });

  it("agrees with the parser on random files made of top-level lines", () => {
    fc.assert(
      fc.property(fc.array(LINE, { maxLength: 12 }), (lines) => agrees(lines.join("\n"))),
      { numRuns: 3000, seed: 20261206 },
    );
  });

  it("agrees with the parser on the config fuzzer's inputs", () => {
    fc.assert(
      fc.property(anyConfigText, (text) => agrees(text)),
      { numRuns: 500, seed: 20261206 },
    );
  });
});
