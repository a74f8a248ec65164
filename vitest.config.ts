import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // The summary says which tests were skipped for want of a program, and what to install.
    reporters: ["default", "./test/skip-reporter.ts"],
    // Tests run real processes and signal them: separate processes keep one test file's signals and
    // exit handlers away from another's.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
