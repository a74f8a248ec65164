// `npm run fuzz`: the config fuzzer of test/fuzz/config-fuzz.test.ts with many more inputs than `npm test` and a
// random seed (or FUZZ_SEED), printed first so a failure can be replayed. Every counterexample is kept in
// test/fixtures/fuzz-regressions/, where `npm test` replays it from then on.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";

const seed = process.env.FUZZ_SEED ?? String(randomInt(2 ** 31 - 1));
const runs = process.env.FUZZ_RUNS ?? "20000";
const cliRuns = process.env.FUZZ_CLI_RUNS ?? "200";
console.log(`portmate fuzz: seed ${seed}, ${runs} library runs, ${cliRuns} CLI runs (replay with FUZZ_SEED=${seed} npm run fuzz)`);

const result = spawnSync("npx", ["vitest", "run", "test/fuzz/config-fuzz.test.ts", "-t", "config fuzzing"], {
  stdio: "inherit",
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs, FUZZ_CLI_RUNS: cliRuns, FUZZ_SAVE: "1" },
});
console.log(`portmate fuzz: seed ${seed} ${result.status === 0 ? "passed" : "failed"}`);
process.exit(result.status ?? 1);
