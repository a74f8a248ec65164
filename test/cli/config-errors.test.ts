import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cases, MARKER_JS } from "../support/config-cases.js";
import { runCli, tempProject } from "../support/helpers.js";

describe("portmate up with an invalid config", () => {
  // Every case exits 2 with `FILE:LINE:COL: path: message` first, and starts nothing.
  it("exits 2 with the position first and starts nothing, for every case", async () => {
    const dir = tempProject({ "marker.js": MARKER_JS });
    const results = await Promise.all(
      cases.map(async ({ name, text, at, path }, index) => {
        const file = `case-${index}.yaml`;
        writeFileSync(join(dir, file), text);
        const result = await runCli(["-f", file, "up"], { cwd: dir });
        return { name, file, at, path, result };
      }),
    );
    for (const { name, file, at, path, result } of results) {
      expect(result.exitCode, `${name}: ${result.all}`).toBe(2);
      const first = result.stderr.split("\n")[0] ?? "";
      const prefix = `${file}:${at}: ${path ? `${path}: ` : ""}`;
      expect(first.startsWith(prefix), `${name}: expected "${prefix}…", got "${first}"`).toBe(true);
      expect(result.stdout, name).toBe("");
    }
    expect(readdirSync(dir).filter((entry) => entry.startsWith("started-"))).toEqual([]);
  });
});
