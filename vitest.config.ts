import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Tests run real processes and signal them: separate processes keep one test file's signals and
    // exit handlers away from another's.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
