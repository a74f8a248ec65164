// `portmate trust` run as a user runs it, against real NSS databases in a throwaway HOME.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "../support/helpers.js";
import { CERTUTIL, describeWith } from "../support/requirements.js";
import { sandbox } from "../support/trust-sandbox.js";

/** The nicknames and trust flags an NSS database lists. */
function listed(dir: string): string {
  return execFileSync("certutil", ["-d", `sql:${dir}`, "-L"], { encoding: "utf8" });
}

describeWith(CERTUTIL, "portmate trust", () => {
  it("adds the CA to ~/.pki/nssdb (made if missing) and each Firefox profile, once, and --remove takes it out", async () => {
    const { home, root, env } = sandbox();
    const profile = join(home, ".mozilla", "firefox", "abc.default-release");
    mkdirSync(profile, { recursive: true });
    execFileSync("certutil", ["-N", "-d", `sql:${profile}`, "--empty-password"]);
    mkdirSync(join(home, ".mozilla", "firefox", "Crash Reports"));

    const first = await runCli(["trust"], { cwd: root, env });
    expect(first.exitCode, first.all).toBe(0);
    expect(first.stdout).toMatch(
      /^portmate local CA \(.+@.+\) \(.*ca\.pem\)\n {2}Chromium \(~\/\.pki\/nssdb\): trusted now\n {2}Firefox profile abc\.default-release \(.*\): trusted now\n/,
    );
    for (const db of [join(home, ".pki", "nssdb"), profile]) expect(listed(db)).toMatch(/portmate local CA \(.+\) +C,, *\n/);

    const again = await runCli(["trust", "--json"], { cwd: root, env });
    expect(again.exitCode, again.all).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.action).toBe("trust");
    expect(report.stores.map((store: { label: string; outcome: string }) => [store.label, store.outcome])).toEqual([
      ["Chromium", "already"],
      ["Firefox profile abc.default-release", "already"],
    ]);

    const removed = await runCli(["trust", "--remove"], { cwd: root, env });
    expect(removed.exitCode, removed.all).toBe(0);
    expect(removed.stdout).toMatch(/Chromium \(~\/\.pki\/nssdb\): removed\n.*Firefox profile abc\.default-release .*: removed\n/);
    for (const db of [join(home, ".pki", "nssdb"), profile]) expect(listed(db)).not.toContain("portmate");
    const nothing = await runCli(["trust", "--remove", "--json"], { cwd: root, env });
    expect(JSON.parse(nothing.stdout).stores.map((store: { outcome: string }) => store.outcome)).toEqual(["absent", "absent"]);
  });

  it("replaces an older portmate CA of the same name, as after the state folder was deleted", async () => {
    const { root, home, state, env } = sandbox();
    expect((await runCli(["trust"], { cwd: root, env })).exitCode).toBe(0);
    rmSync(join(state, "ca"), { recursive: true });
    const replaced = await runCli(["trust"], { cwd: root, env });
    expect(replaced.stdout).toContain("Chromium (~/.pki/nssdb): trusted now (an older portmate CA of this name was removed)");
    expect(listed(join(home, ".pki", "nssdb")).match(/portmate local CA/g)).toHaveLength(1);
  });

  it("writes only the database --nssdb names", async () => {
    const { root, env } = sandbox();
    const nssdb = join(root, "custom-db");
    const result = await runCli(["trust", "--nssdb", nssdb, "--json"], { cwd: root, env });
    expect(result.exitCode, result.all).toBe(0);
    expect(JSON.parse(result.stdout).stores).toEqual([{ kind: "nss", label: "NSS database", path: nssdb, outcome: "added" }]);
    expect(listed(nssdb)).toContain("portmate local CA");
  });
});

it("says what to install when certutil is missing", async () => {
  const { root, env } = sandbox();
  const bin = join(root, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, "node"));
  const result = await runCli(["trust"], { cwd: root, env: { ...env, PATH: bin } });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("certutil is not installed");
  expect(result.stderr).toContain("hint: install libnss3-tools (Debian/Ubuntu) or nss-tools (Fedora)");
});
