import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The layout the README describes, held against the code: folders by phase of the data flow, each importing
// only the folders below it, and no import circles.

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** From the bottom up: a folder may import the folders before it (and the loose files at the top). */
const FLOORS = [
  "util",
  "process",
  "ports",
  "config",
  "plan",
  "supervise",
  "state",
  "control",
  "proxy",
  "stack",
  "daemon",
  "operations",
  "mcp",
  "dashboard",
  "init",
  "export",
  "cli",
];
/** The files that may stand loose at src/: the public API and the error classes. */
const LOOSE = ["index.ts", "errors.ts"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : entry.endsWith(".ts") ? [path] : [];
  });
}

/** The src files a file imports (statically or with import()), by path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((match) => match[1] as string);
  return found.map((spec) => relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, ".ts"))));
}

const files = sources(SRC).map((path) => relative(SRC, path));
const graph = new Map(files.map((file) => [file, importsOf(join(SRC, file))]));
const folderOf = (file: string) => (file.includes("/") ? (file.split("/")[0] as string) : undefined);

describe("the source layout", () => {
  it("has only the public API and the error classes loose at the top, and every folder has its floor", () => {
    expect(files.filter((file) => !file.includes("/")).sort()).toEqual([...LOOSE].sort());
    const folders = new Set(files.map(folderOf).filter((folder): folder is string => folder !== undefined));
    expect([...folders].filter((folder) => !FLOORS.includes(folder))).toEqual([]);
  });

  it("has no import that runs up a floor", () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      if (from === undefined) continue; // index.ts re-exports from anywhere
      for (const target of imports) {
        const to = folderOf(target);
        if (to === undefined) {
          if (target !== "errors.ts") upward.push(`${file} -> ${target}`);
        } else if (FLOORS.indexOf(to) > FLOORS.indexOf(from)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("has no import circle", () => {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it("reads every import it checks (a renamed file would leave an import pointing nowhere)", () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    expect(missing).toEqual([]);
    expect(graph.size).toBeGreaterThan(50);
  });
});
