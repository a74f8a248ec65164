import { defineConfig } from "vitest/config";
import type { TestProjectInlineConfiguration } from "vitest/config";

/**
 * One tier of tests, a folder of test/: `vitest run --project unit` runs one. The process-starting tiers run in
 * separate processes (`forks`): they signal real processes, and one test file's signals and exit handlers must
 * stay away from another's. Unit tests start no process and bind no port, so threads are safe for them.
 */
function tier(name: string, pool: "forks" | "threads" = "forks"): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include: [`test/${name}/**/*.test.ts`],
      pool,
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
}

export default defineConfig({
  test: {
    // Runs once per run, whichever projects run (projects do not inherit it): one state folder for them all.
    globalSetup: ["test/support/global-setup.ts"],
    // The summary says which tests were skipped for want of a program, and what to install.
    reporters: ["default", "./test/support/skip-reporter.ts"],
    projects: [tier("unit", "threads"), tier("integration"), tier("cli"), tier("export"), tier("fuzz"), tier("load"), tier("browser")],
  },
});
