import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { mergeData } from "../../../src/config/merged-source.js";
import { readProjectName } from "../../../src/config/project-name.js";
import { ConfigError, formatIssue } from "../../../src/errors.js";
import { tempProject, yaml } from "../../support/helpers.js";

const BASE = yaml`
  name: shop
  services:
    api:
      command: node api.js --verbose
      port: none
      env:
        LEVEL: info
        GREETING: hello
      depends_on: [db]
    db:
      command: node db.js
      port: none
`;

/** Every problem loadConfig finds, as the lines portmate prints. */
function problems(options: Parameters<typeof loadConfig>[0]): string[] {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => formatIssue(issue).split("\n")[0] as string);
    throw error;
  }
  throw new Error("the config loaded");
}

describe("merging data as compose does", () => {
  it.each([
    ["maps merge key by key", { a: { x: 1, y: 2 } }, { a: { y: 3, z: 4 } }, { a: { x: 1, y: 3, z: 4 } }],
    ["a later list replaces an earlier one", { args: [1, 2, 3] }, { args: [9] }, { args: [9] }],
    ["a later value replaces a map", { health: { http: "/a" } }, { health: "/b" }, { health: "/b" }],
    ["a later map replaces a value", { health: "/b" }, { health: { http: "/a" } }, { health: { http: "/a" } }],
    ["null is a value like any other", { env: { A: "1" } }, { env: null }, { env: null }],
    ["keys only in the earlier file stay", { a: 1, b: 2 }, { c: 3 }, { a: 1, b: 2, c: 3 }],
  ])("%s", (_, base, next, merged) => {
    expect(mergeData(base, next)).toEqual(merged);
  });

  it("drops a key tagged !reset, and replaces one tagged !override without merging", () => {
    const tags = new Map([
      [JSON.stringify(["a", "y"]), "reset" as const],
      [JSON.stringify(["b"]), "override" as const],
      [JSON.stringify(["c", "d", "gone"]), "reset" as const],
    ]);
    expect(mergeData({ a: { x: 1, y: 2 }, b: { p: 1 } }, { a: { y: null }, b: { q: 2 }, c: { d: { kept: 1, gone: 2 } } }, tags)).toEqual({
      a: { x: 1 },
      b: { q: 2 },
      c: { d: { kept: 1 } },
    });
  });

  it("keeps a `__proto__` key a key, as the yaml library does", () => {
    const next = JSON.parse('{"env": {"__proto__": {"polluted": 1}}}') as unknown;
    const merged = mergeData({ env: { A: "1" } }, next) as { env: Record<string, unknown> };
    expect(Object.keys(merged.env)).toEqual(["A", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("several config files", () => {
  it("merges -f files in order: maps merge, lists and values of the later file win", () => {
    const dir = tempProject({
      "portmate.yaml": BASE,
      "dev.yaml": yaml`
        services:
          api:
            command: node api.js --debug
            env:
              GREETING: dev
            depends_on: []
          mail:
            command: node mail.js
            port: none
      `,
    });
    const { config } = loadConfig({ cwd: dir, file: ["portmate.yaml", "dev.yaml"], env: {} });
    const api = config.services.get("api");
    expect(api?.command).toMatchObject({ argv: ["node", "api.js", "--debug"] });
    expect(api?.env).toEqual({ LEVEL: "info", GREETING: "dev" });
    expect(api?.dependsOn).toEqual([]);
    expect([...config.services.keys()]).toEqual(["api", "db", "mail"]);
    expect(config.project).toBe("shop");
    expect(config.files).toEqual([join(dir, "portmate.yaml"), join(dir, "dev.yaml")]);
    expect(config.file).toBe(join(dir, "portmate.yaml"));
    expect(config.foundByName).toBe(false);
  });

  it("merges the portmate.override.yaml beside a config found by its name, and only then", () => {
    const dir = tempProject({
      "portmate.yaml": BASE,
      "portmate.override.yaml": yaml`
        name: shop-local
        services:
          api:
            env:
              LEVEL: debug
      `,
    });
    mkdirSync(join(dir, "sub"));
    // Found from a folder below, as portmate.yaml is.
    const found = loadConfig({ cwd: join(dir, "sub"), env: {} }).config;
    expect(found.services.get("api")?.env.LEVEL).toBe("debug");
    expect(found.project).toBe("shop-local");
    expect(found.files).toEqual([join(dir, "portmate.yaml"), join(dir, "portmate.override.yaml")]);
    expect(found.foundByName).toBe(true);
    // `-f portmate.yaml` reads that file alone, as `docker compose -f compose.yaml` does.
    const given = loadConfig({ cwd: dir, file: "portmate.yaml", env: {} }).config;
    expect(given.services.get("api")?.env.LEVEL).toBe("info");
    expect(given.files).toEqual([join(dir, "portmate.yaml")]);
  });

  it("finds a portmate.override.yml too, and adds nothing for an empty override", () => {
    const dir = tempProject({ "portmate.yaml": BASE, "portmate.override.yml": "services:\n  api:\n    env:\n      LEVEL: warn\n" });
    expect(loadConfig({ cwd: dir, env: {} }).config.services.get("api")?.env.LEVEL).toBe("warn");
    const empty = tempProject({ "portmate.yaml": BASE, "portmate.override.yaml": "# nothing yet\n" });
    expect(loadConfig({ cwd: empty, env: {} }).config.services.get("api")?.env.LEVEL).toBe("info");
  });

  it("resolves relative paths of every file against the first file's folder, as compose does", () => {
    const dir = tempProject({ "portmate.yaml": BASE, "api.env": "FROM_FILE=1\n" });
    mkdirSync(join(dir, "dev"));
    mkdirSync(join(dir, "app"));
    writeFileSync(join(dir, "dev", "extra.yaml"), "services:\n  api:\n    cwd: app\n    env_file: api.env\n");
    const api = loadConfig({ cwd: dir, file: ["portmate.yaml", "dev/extra.yaml"], env: {} }).config.services.get("api");
    expect(api?.cwd).toBe(join(dir, "app"));
    expect(api?.envFiles).toEqual([join(dir, "api.env")]);
  });

  it("points each problem at the file and line it comes from", () => {
    const dir = tempProject({
      "portmate.yaml": BASE,
      "dev.yaml": yaml`
        services:
          api:
            stop_timeout: soon
            depends_on: [dbb]
          web:
            port: 3000
      `,
    });
    expect(problems({ cwd: dir, file: ["portmate.yaml", "dev.yaml"], env: {} })).toEqual([
      'dev.yaml:3:19: services.api.stop_timeout: must be a duration like `250ms`, `5s` or `1m`, got "soon"',
      'dev.yaml:6:5: services.web: missing required key "command"',
    ]);
    // A rule of the merged config: the unknown dependency is where the later file wrote it.
    writeFileSync(join(dir, "dev.yaml"), "services:\n  api:\n    depends_on: [dbb]\n");
    expect(problems({ cwd: dir, file: ["portmate.yaml", "dev.yaml"], env: {} })[0]).toMatch(
      /^dev\.yaml:3:18: services\.api\.depends_on: unknown service "dbb"/,
    );
    // What the earlier file set, and the later one kept, is still pointed at in the earlier file.
    writeFileSync(join(dir, "dev.yaml"), "services:\n  db:\n    env:\n      X: '1'\n");
    writeFileSync(join(dir, "portmate.yaml"), BASE.replace("depends_on: [db]", "depends_on: [dbb]"));
    expect(problems({ cwd: dir, file: ["portmate.yaml", "dev.yaml"], env: {} })[0]).toMatch(
      /^portmate\.yaml:9:18: services\.api\.depends_on: unknown service "dbb"/,
    );
  });

  it("says a YAML error of the override in the override", () => {
    const dir = tempProject({ "portmate.yaml": BASE, "portmate.override.yaml": "services:\n  api: [unclosed\n" });
    expect(problems({ cwd: dir, env: {} })[0]).toMatch(/^portmate\.override\.yaml:\d+:\d+: invalid YAML: /);
  });

  it("names the project by the last file that names it, also without the YAML parser", async () => {
    const dir = tempProject({ "portmate.yaml": BASE, "portmate.override.yaml": "name: shop-local\n" });
    expect(await readProjectName({ cwd: dir })).toBe("shop-local");
    expect(await readProjectName({ cwd: dir, file: "portmate.yaml" })).toBe("shop");
    writeFileSync(join(dir, "other.yaml"), "services: {}\n");
    expect(await readProjectName({ cwd: dir, file: ["portmate.yaml", "other.yaml"] })).toBe("shop");
  });

  it("takes compose's !reset (the key goes) and !override (the value replaces, a map included)", () => {
    const dir = tempProject({
      "portmate.yaml": BASE,
      "portmate.override.yaml": yaml`
        services:
          api:
            env: !override
              ONLY: this
            depends_on: !reset []
            port: !reset null
          db:
            health: !reset
            env:
              KEPT: "1"
              GONE: !reset x
      `,
    });
    const { config } = loadConfig({ cwd: dir, env: {} });
    const api = config.services.get("api");
    expect(api?.env).toEqual({ ONLY: "this" });
    expect(api?.dependsOn).toEqual([]);
    // port: none of the first file is gone, so api has the default: a port.
    expect(api?.ports.map((port) => port.name)).toEqual(["default"]);
    expect(config.services.get("db")?.env).toEqual({ KEPT: "1" });
  });

  it("warns of a tag it does not know, at its place, rather than dropping it unsaid", () => {
    const dir = tempProject({ "portmate.yaml": BASE, "portmate.override.yaml": "services:\n  api:\n    env: !overide\n      ONLY: this\n" });
    const { config, warnings } = loadConfig({ cwd: dir, env: {} });
    expect(warnings.map((warning) => formatIssue(warning))).toEqual([
      "portmate.override.yaml:3:10: unknown tag !overide: its value is read as if it had none\n  hint: the tags portmate knows are compose's !reset and !override",
    ]);
    expect(config.services.get("api")?.env).toEqual({ LEVEL: "info", GREETING: "hello", ONLY: "this" });
  });

  it("says which -f file does not exist", () => {
    const dir = tempProject({ "portmate.yaml": BASE });
    expect(() => loadConfig({ cwd: dir, file: ["portmate.yaml", "missing.yaml"] })).toThrow("config file missing.yaml does not exist");
  });
});
