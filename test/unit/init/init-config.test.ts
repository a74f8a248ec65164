import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { UsageError } from "../../../src/errors.js";
import { initConfig } from "../../../src/init/init-config.js";
import { ROOT, tempProject } from "../../support/helpers.js";

/** A copy of a fixture project of test/fixtures/init, in a folder of its own. */
function copyOf(name: string): string {
  const dir = tempProject({});
  cpSync(join(ROOT, "test/fixtures/init", name), dir, { recursive: true });
  return dir;
}

describe("initConfig", () => {
  it("writes a file that loads, from the first source found, naming the others", () => {
    const dir = copyOf("procfile-app");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ scripts: { start: "node server.js" } }));
    const result = initConfig({ cwd: dir });
    expect(result).toMatchObject({ source: "Procfile", others: ["package.json"], written: true, file: join(dir, "portmate.yaml") });
    expect(readFileSync(result.file, "utf8")).toBe(result.text);
    const { config } = loadConfig({ cwd: dir, commandsRunHere: false });
    expect([...config.services.keys()]).toEqual(["web", "worker", "clock", "assets", "release"]);
  });

  it("marks every guess in the file", () => {
    const { text, guesses } = initConfig({ cwd: copyOf("compose-app"), write: false });
    expect(guesses.length).toBeGreaterThan(3);
    expect(text.match(/^ +# guess:/gm)?.length).toBe(guesses.length);
  });

  it("never overwrites a file without force", () => {
    const dir = tempProject({ "portmate.yaml": "services: {a: {command: x}}\n", Procfile: "web: node server.js\n" });
    expect(() => initConfig({ cwd: dir })).toThrow(UsageError);
    expect(readFileSync(join(dir, "portmate.yaml"), "utf8")).toBe("services: {a: {command: x}}\n");
    expect(initConfig({ cwd: dir, write: false }).written).toBe(false);
    expect(initConfig({ cwd: dir, force: true }).written).toBe(true);
    expect(readFileSync(join(dir, "portmate.yaml"), "utf8")).toMatch(/^ {2}web:$/m);
  });

  it("reads the file --from names", () => {
    const dir = copyOf("compose-app");
    expect(initConfig({ cwd: dir, from: "frontend/package.json", write: false })).toMatchObject({ source: "frontend/package.json" });
    expect(initConfig({ cwd: dir, from: "frontend/package.json", write: false }).text).toMatch(/cwd: frontend/);
    expect(() => initConfig({ cwd: dir, from: "backend/Dockerfile" })).toThrow(/not a file init reads/);
    expect(() => initConfig({ cwd: dir, from: "Procfile" })).toThrow(/no such file/);
  });

  it("writes an example that loads when nothing is found", () => {
    const dir = tempProject({});
    const result = initConfig({ cwd: dir });
    expect(result.source).toBeUndefined();
    expect(loadConfig({ cwd: dir }).config.services.get("web")?.command).toMatchObject({
      argv: ["python3", "-m", "http.server", "${port}", "--bind", "${host}"],
    });
  });
});

describe("initConfig on a broken source", () => {
  it.each([
    ["package.json", "{ not json"],
    ["compose.yaml", "services: [\n"],
  ])("%s: a usage error naming the file", (name, text) => {
    const dir = tempProject({ [name]: text });
    expect(() => initConfig({ cwd: dir, write: false })).toThrow(new RegExp(`^cannot read ${name.replace(".", "\\.")}: `));
    try {
      initConfig({ cwd: dir, write: false });
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
    }
  });
});

describe("initConfig on programs not found here", () => {
  it("disables a service whose script runs a program found neither on PATH nor in node_modules/.bin", () => {
    const dir = tempProject({ "package.json": JSON.stringify({ scripts: { dev: "NODE_ENV=development not-installed-server serve" } }) });
    const result = initConfig({ cwd: dir });
    expect(result.missing).toEqual(["not-installed-server"]);
    expect(result.text).toMatch(/# guess: not-installed-server is not found on this machine[^\n]*\n {4}disabled: true\n$/);
    expect(result.text).toMatch(/^# Not found on this machine, so their services are disabled: not-installed-server\.$/m);
    expect(loadConfig({ cwd: dir }).config.services.get("app")?.disabled).toBe(true);
  });
});

describe("initConfig on variables the environment does not set", () => {
  it("checks the file's structure, not this shell: a required variable carried over from compose stays as written", () => {
    const dir = tempProject({
      "compose.yaml": "services:\n  api:\n    command: node api.js\n    environment:\n      PASSWORD: ${INIT_TEST_UNSET_PASSWORD:?set it}\n",
    });
    expect(initConfig({ cwd: dir, write: false }).text).toMatch(/^ {6}PASSWORD: \$\{INIT_TEST_UNSET_PASSWORD:\?set it\}$/m);
  });
});

describe("initConfig on sources without services", () => {
  it("passes over a package.json of tools only to the next source, else writes the example", () => {
    const tools = JSON.stringify({ scripts: { lint: "eslint ." } });
    expect(initConfig({ cwd: tempProject({ "package.json": tools }), write: false })).toMatchObject({ source: undefined, others: ["package.json"] });
    expect(() => initConfig({ cwd: tempProject({ "package.json": tools }), from: "package.json", write: false })).toThrow(/no services found/);
  });
});
