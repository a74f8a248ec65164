import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandGlobs, fromPackageJson, scriptProgram } from "../../../src/init/from-package-json.js";
import { ROOT, tempProject } from "../../support/helpers.js";

const MONOREPO = join(ROOT, "test/fixtures/init/monorepo");

/** A folder of files given by relative path, sub-folders made. */
function tree(files: Record<string, unknown>): string {
  const dir = tempProject({});
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

describe("fromPackageJson", () => {
  it("makes one service per workspace app with a dev script, run by npm in its folder", () => {
    const draft = fromPackageJson(MONOREPO, MONOREPO);
    expect(draft.source).toBe("package.json");
    expect(draft.services.map((service) => [service.name, service.command, service.cwd])).toEqual([
      ["api", "npm run dev", "apps/api"],
      ["docs", "npm run dev -- -p ${port}", "apps/docs"],
      ["web", "npm run dev -- --host ${host} --port ${port} --strictPort", "apps/web"],
    ]);
    expect(draft.notes).toEqual(["packages/ui/package.json: no dev or start script, so no service"]);
    expect(draft.services.find((service) => service.name === "web")).toMatchObject({
      health: { http: "/" },
      guesses: { command: expect.any(String), health: expect.any(String) },
    });
  });

  it("reads pnpm-workspace.yaml and passes arguments as pnpm does, without --", () => {
    const dir = tree({
      "package.json": { name: "mono", private: true },
      "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - '!apps/legacy'\n",
      "apps/site/package.json": { name: "@mono/site", scripts: { dev: "astro dev" } },
      "apps/legacy/package.json": { name: "legacy", scripts: { dev: "vite" } },
      "apps/worker/package.json": { name: "worker", scripts: { start: "tsc --watch" } },
    });
    const draft = fromPackageJson(dir, dir);
    expect(draft.services.map((service) => [service.name, service.command, service.port])).toEqual([
      ["site", "pnpm run dev --port ${port}", undefined],
      ["worker", "pnpm run start", "none"],
    ]);
  });

  it("takes the root package's dev script when there are no workspaces, and a port its script names", () => {
    const dir = tree({ "package.json": { name: "@me/app", scripts: { dev: "vite --port 3000", start: "node ." } }, "yarn.lock": "" });
    const [service] = fromPackageJson(dir, dir).services;
    expect(service).toMatchObject({ name: "app", command: "yarn run dev", port: 3000, guesses: { port: expect.stringMatching(/\$PORT/) } });
    expect(service?.cwd).toBeUndefined();
  });

  it("expands the globs workspaces use", () => {
    expect(expandGlobs(MONOREPO, ["apps/*", "./packages/*/", "!apps/docs"]).map((folder) => folder.slice(MONOREPO.length + 1))).toEqual([
      "apps/api",
      "apps/web",
      "packages/ui",
    ]);
  });
});

describe("scriptProgram", () => {
  it.each([
    ["vite", "vite"],
    ["NODE_ENV=development cross-env PORT=1 nodemon src/index.ts", "nodemon"],
    ["./bin/dev --watch", "./bin/dev"],
    ["$(npm bin)/x", undefined],
  ])("%s → %s", (script, program) => {
    expect(scriptProgram(script)).toBe(program);
  });
});
