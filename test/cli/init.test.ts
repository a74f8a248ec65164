import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { onCleanup, ps, randomRange, ROOT, runCli, tempProject } from "../support/helpers.js";

/** A copy of test/fixtures/init (the projects share its tiny server), with a state folder of its own. */
function fixtures() {
  const dir = tempProject({});
  cpSync(join(ROOT, "test/fixtures/init"), dir, { recursive: true });
  const env = { PORTMATE_STATE_DIR: join(dir, "state") };
  onCleanup(async () => {
    await runCli(["down", "-a"], { cwd: dir, env });
  });
  return { dir, env };
}

/**
 * Vite for a project folder, as an install would give it: its own node_modules with vite linked in, so that
 * what Vite writes there (its caches) stays in the test's folder.
 */
function installVite(folder: string): void {
  mkdirSync(join(folder, "node_modules", ".bin"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", "vite"), join(folder, "node_modules", "vite"));
  symlinkSync(join(ROOT, "node_modules", "vite", "bin", "vite.js"), join(folder, "node_modules", ".bin", "vite"));
}

/** Runs `init`, checks it wrote a file `config` accepts, and gives the file its own port range. */
async function initAndCheck(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ text: string; stderr: string }> {
  const init = await runCli(["init", ...args], { cwd, env });
  expect(init.exitCode, init.all).toBe(0);
  const file = join(cwd, "portmate.yaml");
  const text = readFileSync(file, "utf8");
  writeFileSync(file, `${text}ports:\n  range: ${randomRange().text}\n`);
  const config = await runCli(["config"], { cwd, env });
  expect(config.exitCode, config.all).toBe(0);
  return { text, stderr: init.stderr };
}

/** `up -d SERVICES`, then what `ps --json` says of each, then `down`. */
async function upAndDown(cwd: string, env: Record<string, string>, services: string[]) {
  const up = await runCli(["up", "-d", ...services], { cwd, env, timeoutMs: 90_000 });
  expect(up.exitCode, up.all).toBe(0);
  const rows = await ps(cwd, env);
  for (const row of rows.filter((candidate) => candidate.port !== null)) {
    const response = await fetch(`http://127.0.0.1:${row.port}/`);
    expect(response.status, row.service).toBe(200);
  }
  const down = await runCli(["down"], { cwd, env });
  expect(down.exitCode, down.all).toBe(0);
  return rows;
}

describe("portmate init", () => {
  it("a Procfile with five processes: web, clock and Vite run; those of programs not found here are disabled", async () => {
    const { dir, env } = fixtures();
    const cwd = join(dir, "procfile-app");
    installVite(cwd);
    const { text, stderr } = await initAndCheck(cwd, env);
    expect(text).toMatch(/^ {2}web:\n {4}# Procfile: web: node server.js --port \$PORT\n {4}command: node server.js --port \$\{port\}$/m);
    expect(text).toMatch(/# guess: bundle is not found on this machine[^\n]*\n {4}disabled: true/);
    expect(text).toMatch(/# guess: Heroku's release phase/);
    expect(stderr).toMatch(/^read Procfile$/m);
    expect(stderr).toMatch(/^also found package\.json /m);
    expect(stderr).toMatch(/^guess: web\.health: /m);
    const rows = await upAndDown(cwd, env, []);
    expect(rows.map((row) => [row.service, row.status])).toEqual([
      ["web", "healthy"],
      ["clock", "healthy"],
      ["assets", "healthy"],
    ]);
  });

  it("an npm workspaces monorepo with three apps: the API and the Vite app run", async () => {
    const { dir, env } = fixtures();
    const cwd = join(dir, "monorepo");
    installVite(join(cwd, "apps", "web"));
    const { text } = await initAndCheck(cwd, env);
    expect(text).toMatch(/^ {2}api:\n[^]*?command: npm run dev\n {4}cwd: apps\/api$/m);
    expect(text).toMatch(/# guess: vite takes its port as [^\n]*\n {4}command: npm run dev -- --host \$\{host\} --port \$\{port\} --strictPort$/m);
    expect(text).toMatch(/# guess: next takes its port as -p/);
    expect(text).toMatch(/# packages\/ui\/package.json: no dev or start script/);
    const rows = await upAndDown(cwd, env, ["api", "web"]);
    expect(rows.map((row) => [row.service, row.status]).sort()).toEqual([
      ["api", "healthy"],
      ["web", "healthy"],
    ]);
  });

  it("a compose file with a database, a backend built from a Dockerfile and a Vite front end: the three run wired (a stand-in for postgres)", async () => {
    const { dir, env } = fixtures();
    const cwd = join(dir, "compose-app");
    installVite(join(cwd, "frontend"));
    const { text } = await initAndCheck(cwd, env);
    expect(text).toMatch(/image: postgres:16/);
    expect(text).toMatch(/# command: the CMD of backend\/Dockerfile\n[^]*?command: node server.js --port \$\{port\}\n {4}cwd: backend\n {4}port: 8000$/m);
    expect(text).toMatch(/^ {4}build: backend$/m);
    expect(text).toMatch(/VITE_API_URL: \$\{services\.backend\.url\}/);
    const exported = await runCli(["export", "compose"], { cwd, env });
    expect(exported.exitCode, exported.all).toBe(0);
    // The front end refers to the backend, which needs the database: postgres wants `initdb` and a user other
    // than root, so a stand-in listens on the database's port, and the backend and Vite run as written.
    const file = join(cwd, "portmate.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("command: postgres -D pgdata -p ${port} -k .", "command: node ../tiny-server.cjs"));
    const rows = await upAndDown(cwd, env, ["frontend"]);
    expect(rows.map((row) => [row.service, row.status])).toEqual([
      ["db", "healthy"],
      ["backend", "healthy"],
      ["frontend", "healthy"],
    ]);
  });

  it("never overwrites a portmate.yaml without --force", async () => {
    const cwd = tempProject({ "portmate.yaml": "services: {a: {command: node}}\n", Procfile: "web: node server.js\n" });
    const refused = await runCli(["init"], { cwd });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/portmate\.yaml exists already/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(join(cwd, "portmate.yaml"), "utf8")).toBe("services: {a: {command: node}}\n");
    const forced = await runCli(["init", "--force"], { cwd });
    expect(forced.exitCode, forced.all).toBe(0);
    expect(readFileSync(join(cwd, "portmate.yaml"), "utf8")).toMatch(/^ {2}web:$/m);
  });

  it("--from picks the source, --stdout prints instead of writing, --json tells what was found", async () => {
    const { dir } = fixtures();
    const cwd = join(dir, "compose-app");
    const printed = await runCli(["init", "--from", "frontend/package.json", "--stdout"], { cwd });
    expect(printed.exitCode, printed.all).toBe(0);
    expect(printed.stdout).toMatch(/^# Written by `portmate init` from frontend\/package.json/);
    expect(printed.stdout).toMatch(/cwd: frontend/);
    const json = await runCli(["init", "--json", "--stdout"], { cwd });
    const result = JSON.parse(json.stdout) as { source: string; others: string[]; guesses: Array<{ service: string; key: string }>; written: boolean };
    expect(result).toMatchObject({ source: "docker-compose.yml", written: false });
    expect(result.guesses).toContainEqual(expect.objectContaining({ service: "db", key: "command" }));
    const unknown = await runCli(["init", "--from", "backend/Dockerfile"], { cwd });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/not a file init reads/);
  });

  it("writes a minimal example that runs when nothing is found", async () => {
    const cwd = tempProject({});
    const env = { PORTMATE_STATE_DIR: join(cwd, "state") };
    onCleanup(async () => {
      await runCli(["down", "-a"], { cwd, env });
    });
    const { text, stderr } = await initAndCheck(cwd, env);
    expect(stderr).toMatch(/found no Procfile, compose file or package.json/);
    expect(text).toMatch(/# guess: an example[^\n]*\n {4}command: python3 -m http.server/);
    const rows = await upAndDown(cwd, env, []);
    expect(rows.map((row) => [row.service, row.status])).toEqual([["web", "healthy"]]);
  });
});
