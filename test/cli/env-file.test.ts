import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureCommand, project, randomRange, readRecords, runCli, waitUntil, yaml } from "../support/helpers.js";

/** A config whose one service says `${GREETING}` in its env and its command line. */
function greeter(range: string): string {
  return yaml`
    ports: {range: ${range}}
    services:
      greeter:
        command: ${fixtureCommand('--name greeter --record record.jsonl --say "said ${GREETING}"')}
        env:
          SAID: "said \${GREETING}"
  `;
}

/** What `portmate config --json` gives greeter's SAID, and the warnings. */
async function said(dir: string, env: Record<string, string>, ...args: string[]) {
  const result = await runCli([...args, "config", "--json"], { cwd: dir, env });
  expect(result.exitCode, result.all).toBe(0);
  const config = JSON.parse(result.stdout) as { services: { greeter: { environment: Record<string, string> } }; warnings: string[] };
  return { value: config.services.greeter.environment.SAID, stderr: result.stderr };
}

describe("the .env beside portmate.yaml and --env-file", () => {
  it("fills ${VAR} from the .env, the environment winning, and --env-file replacing it", async () => {
    const { dir, env } = project(greeter(randomRange().text));
    writeFileSync(join(dir, ".env"), "GREETING=from-dotenv\n");
    writeFileSync(join(dir, "other.env"), "GREETING=from-other\n");
    writeFileSync(join(dir, "last.env"), "GREETING=from-last\n");
    expect((await said(dir, env)).value).toBe("said from-dotenv");
    expect((await said(dir, { ...env, GREETING: "from-environment" })).value).toBe("said from-environment");
    // Before the command or after it, as -f and -p; several: a later one wins.
    expect((await said(dir, env, "--env-file", "other.env")).value).toBe("said from-other");
    const after = await runCli(["config", "--json", "--env-file", "other.env", "--env-file", "last.env"], { cwd: dir, env });
    expect(after.exitCode, after.all).toBe(0);
    expect((JSON.parse(after.stdout) as { services: { greeter: { environment: Record<string, string> } } }).services.greeter.environment.SAID).toBe(
      "said from-last",
    );
  });

  it("names the files it read when a variable is not set", async () => {
    const { dir, env } = project(greeter(randomRange().text));
    expect((await said(dir, env)).stderr).toContain("variable GREETING is not set; using an empty string (read the environment; no .env beside portmate.yaml)");
    writeFileSync(join(dir, ".env"), "OTHER=1\n");
    expect((await said(dir, env)).stderr).toContain("variable GREETING is not set; using an empty string (read the environment and .env)");
    writeFileSync(join(dir, "other.env"), "OTHER=1\n");
    expect((await said(dir, env, "--env-file", "other.env")).stderr).toContain("(read the environment and --env-file other.env)");
  });

  it("makes an --env-file that does not exist an error", async () => {
    const { dir, env } = project(greeter(randomRange().text));
    const result = await runCli(["config", "--env-file", "missing.env"], { cwd: dir, env });
    // Node 20 reads `--env-file` among a script's own arguments too, and stops (exit 9) when the file is not
    // there (nodejs/node#54232); where it does not, portmate's own usage error says it.
    if (result.exitCode === 9) expect(result.stderr).toContain("missing.env: not found");
    else {
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain("--env-file missing.env: the file does not exist");
    }
  });

  it("gives the detached supervisor the same files, and does not pass them to the services", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(greeter(randomRange().text));
    writeFileSync(join(dir, ".env"), "GREETING=from-dotenv\n");
    writeFileSync(join(dir, "other.env"), "GREETING=from-other\n");
    const up = await runCli(["up", "-d", "--env-file", "other.env"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const start = readRecords(record).find((line) => line.event === "start");
    expect(start?.argv).toContain("said from-other");
    expect(start?.env?.GREETING).toBeUndefined();
    // The supervisor reads the config again with the same files when one changes.
    writeFileSync(join(dir, "other.env"), "GREETING=changed\n");
    await waitUntil(
      () => readRecords(record).some((line) => line.event === "start" && line.argv?.includes("said changed")),
      "greeter restarted with the changed --env-file",
      20_000,
    );
    // `up` on the running stack cannot hand its supervisor other files: it says so.
    const again = await runCli(["up", "-d", "--env-file", ".env"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).toContain("reads ${VAR} from the files it was started with");
  });

  it("restarts a service whose ${VAR} changes when the .env is saved, also a .env made after up", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(greeter(randomRange().text));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const said = () =>
      readRecords(record)
        .filter((line) => line.event === "start")
        .map((line) => line.argv?.find((arg) => arg.startsWith("said")));
    expect(said()).toEqual(["said "]);
    writeFileSync(join(dir, ".env"), "GREETING=first\n");
    await waitUntil(() => said().includes("said first"), "greeter restarted with the new .env", 20_000);
    writeFileSync(join(dir, ".env"), "GREETING=second\n");
    await waitUntil(() => said().includes("said second"), "greeter restarted with the changed .env", 20_000);
  });
});
