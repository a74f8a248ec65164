import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { anyConfigText, FUZZ_ENV, validConfigs } from "../support/fuzz-inputs.js";
import { fillFuzzFolder, FUZZ_FILE, FuzzFailure, fuzzFolder, judgeConfig, type Outcome } from "../support/fuzz-outcome.js";
import { pidGone, ROOT, runCli, tempProject } from "../support/helpers.js";

/**
 * `npm test` runs a fixed seed and a few hundred inputs; `npm run fuzz` (scripts/fuzz.mjs) sets FUZZ_SEED,
 * FUZZ_RUNS and FUZZ_CLI_RUNS for a longer run, and FUZZ_SAVE=1 to keep every counterexample as a fixture.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const CLI_RUNS = Number(process.env.FUZZ_CLI_RUNS ?? 16);
const SAVE = process.env.FUZZ_SAVE === "1";
const REGRESSIONS = join(ROOT, "test", "fixtures", "fuzz-regressions");

const dir = fuzzFolder();
let judged = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a property; on failure keeps the shrunk input as a regression fixture (under `npm run fuzz` only). */
async function check(property: fc.IAsyncPropertyWithHooks<[string]> | fc.IPropertyWithHooks<[string]>, numRuns: number): Promise<void> {
  const details = await fc.check(property, { seed: SEED, numRuns, endOnFailure: false });
  if (!details.failed) return;
  const input = details.counterexample?.[0];
  const error = details.errorInstance;
  let saved = "";
  if (SAVE && input !== undefined) {
    const slug = error instanceof FuzzFailure ? error.slug : "cli-disagrees";
    const hash = createHash("sha256").update(input).digest("hex").slice(0, 8);
    mkdirSync(REGRESSIONS, { recursive: true });
    const file = join(REGRESSIONS, `${slug}-${hash}.yaml`);
    writeFileSync(file, input);
    saved = `\nkept as ${file}`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  throw new Error(`${fc.defaultReportMessage(details) ?? "property failed"}\nGot: ${reason}${saved}`);
}

/** What the CLI must do with an input the library judged: exit 2 with the same first line and start nothing, or accept it. */
async function checkCli(text: string, outcome: Outcome): Promise<void> {
  const project = tempProject({ [FUZZ_FILE]: text });
  fillFuzzFolder(project);
  const env = { ...FUZZ_ENV, PORTMATE_STATE_DIR: join(project, "state") };
  // An invalid config goes through `up`, which must start nothing; a valid one through `config`, which starts nothing either.
  const args = outcome.kind === "config-error" ? ["-f", FUZZ_FILE, "up"] : ["-f", FUZZ_FILE, "config"];
  const result = await runCli(args, { cwd: project, env, timeoutMs: 20_000 });
  const shown = `portmate ${args.join(" ")} on:\n${text}\n--- output:\n${result.all}`;
  expect(result.timedOut, `hang: ${shown}`).toBe(false);
  expect(result.all, `stack trace: ${shown}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$|unexpected error/m);
  expect(result.all, `Node.js warning: ${shown}`).not.toMatch(/\(node:\d+\) \w*Warning/);
  const started = readdirSync(project).filter((entry) => entry.startsWith("started-"));
  if (outcome.kind === "config-error") {
    expect(result.exitCode, shown).toBe(2);
    // The message may name a path inside the folder (a missing cwd): the library judged the text in another one.
    expect(result.stderr.split("\n")[0]?.replaceAll(project, "DIR"), shown).toBe(outcome.firstLine.replaceAll(dir, "DIR"));
    expect(result.stdout, shown).toBe("");
    expect(started, `started a process: ${shown}`).toEqual([]);
  } else {
    expect(result.exitCode, shown).toBe(0);
    expect(started, `config started a process: ${shown}`).toEqual([]);
  }
  for (const entry of started) expect(pidGone(Number(entry.slice("started-".length))), `left running: ${shown}`).toBe(true);
}

describe("config fuzzing", () => {
  it.each(validConfigs())("starts its mutations from a valid config: $name", ({ text }) => {
    expect(judgeConfig(text, dir).kind).toBe("plan");
  });

  it(
    `gives a plan or one clear config error for random YAML and mutated configs (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      await check(
        fc.asyncProperty(anyConfigText, async (text) => {
          judgeConfig(text, dir);
          // Let the event loop turn now and then: a long run would otherwise keep vitest's worker from answering.
          if (++judged % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
        }),
        RUNS,
      );
    },
    120_000 + RUNS * 100,
  );

  it(
    `the CLI agrees: exit 2 with that line and nothing started, or exit 0 (seed ${SEED}, ${CLI_RUNS} runs)`,
    async () => {
      await check(
        fc.asyncProperty(anyConfigText, async (text) => {
          const outcome = judgeConfig(text, dir);
          await checkCli(text, outcome);
        }),
        CLI_RUNS,
      );
    },
    60_000 + CLI_RUNS * 20_000,
  );
});

describe("fuzz regressions", () => {
  const fixtures = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((name) => name.endsWith(".yaml")) : [];

  it("keeps every input that once broke the rule, named after what broke", () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const name of fixtures) expect(name).toMatch(/^[a-z0-9-]+\.yaml$/);
  });

  it.each(fixtures)("%s gives a plan or one clear config error", (name) => {
    judgeConfig(readFileSync(join(REGRESSIONS, name), "utf8"), dir);
  });

  it("each gives the same through the CLI", async () => {
    await Promise.all(
      fixtures.map(async (name) => {
        const text = readFileSync(join(REGRESSIONS, name), "utf8");
        await checkCli(text, judgeConfig(text, dir));
      }),
    );
  }, 60_000);
});
