// Says in one line per missing program which tests were skipped and what to install; with PORTMATE_NO_SKIPS=1
// any skipped test fails the run.
import type { Reporter, TestModule } from "vitest/node";

const MARKER = /\[needs (.+?): install (.+?)\]/;

export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byNeed = new Map<string, number>();
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== "skipped") continue;
        skipped++;
        let need: string | undefined;
        for (let parent = test.parent; parent && parent.type === "suite"; parent = parent.parent) {
          const found = MARKER.exec(parent.name);
          if (found) need = `they need ${found[1]}: install ${found[2]}`;
        }
        // Other skips (a `-t` filter, `.skip` in the code) are in vitest's own summary.
        if (need) byNeed.set(need, (byNeed.get(need) ?? 0) + 1);
      }
    }
    for (const [need, count] of byNeed) console.log(`\n${count} test${count === 1 ? "" : "s"} skipped: ${need}`);
    if (skipped > 0 && process.env.PORTMATE_NO_SKIPS === "1") {
      console.log(`PORTMATE_NO_SKIPS=1: ${skipped} skipped test${skipped === 1 ? "" : "s"} fail the run`);
      process.exitCode = 1;
    }
  }
}
