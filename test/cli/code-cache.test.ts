// The CLI loads a command's bundle with V8's code cache (src/util/code-cache.ts): written by the first run,
// used by the next, rewritten when V8 rejects it, and never a reason for the command to behave otherwise.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempProject } from "../support/helpers.js";

const caches = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".v8"));

describe("the code cache of a command's bundle", () => {
  it("is written by the first run, read by the next, and rewritten when corrupt", async () => {
    const dir = tempProject({});
    const cacheDir = join(dir, "cache");
    const env = { PORTMATE_CACHE_DIR: cacheDir };
    const first = await runCli(["up", "--help"], { cwd: dir, env });
    expect(first.exitCode, first.all).toBe(0);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const [name] = caches(cacheDir);
    expect(name).toMatch(/^main-up\.cjs-[0-9a-f]+-.+\.v8$/);
    const file = join(cacheDir, name ?? "");
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(10_000);

    const second = await runCli(["up", "--help"], { cwd: dir, env });
    expect(second.all).toBe(first.all);
    expect(caches(cacheDir)).toEqual([name]);

    writeFileSync(file, readFileSync(file).subarray(0, 1000));
    const third = await runCli(["up", "--help"], { cwd: dir, env });
    expect(third.exitCode, third.all).toBe(0);
    expect(third.all).toBe(first.all);
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it("is no reason to fail when its folder cannot be made", async () => {
    const dir = tempProject({ "not-a-folder": "" });
    const result = await runCli(["--help"], { cwd: dir, env: { PORTMATE_CACHE_DIR: join(dir, "not-a-folder", "cache") } });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^Usage: portmate/);
  });
});
