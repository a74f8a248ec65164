import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { ROOT, tempProject, yaml } from "./helpers.js";

/** Every config the exports are checked on: the demo stack and each example, by a short name. */
export const EXPORT_SOURCES: Array<{ name: string; file: string }> = [
  { name: "demo", file: join(ROOT, "portmate.yaml") },
  ...readdirSync(join(ROOT, "examples"))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name: name.replace(/\.yaml$/, ""), file: join(ROOT, "examples", name) })),
];

/** Where golden files live: test/fixtures/export/TARGET/NAME. */
const GOLDEN = join(ROOT, "test", "fixtures", "export");

/**
 * Compares `text` with the golden file `path` (under test/fixtures/export/). With UPDATE_GOLDEN=1 the file is
 * written instead: review the diff before committing it. The project's folder is written `<project>`, so the
 * files do not depend on where the checkout is.
 */
export function expectGolden(path: string, text: string): void {
  const file = join(GOLDEN, path);
  const portable = text.replaceAll(ROOT, "<project>");
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) throw new Error(`golden file ${path} is missing: run the tests once with UPDATE_GOLDEN=1 and commit it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, portable);
  }
  expect(portable, `differs from test/fixtures/export/${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, "utf8"));
}

/** A project of one service, `api`, with an image: what every target can export. */
export function oneServiceProject(): string {
  return tempProject({
    "portmate.yaml": yaml`
      name: shop
      services:
        api:
          command: node api.js
          image: node:20-alpine
    `,
  });
}
