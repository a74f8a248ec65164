// The reaper (`dist/reaper.js`): run by a stack's watchdog (src/supervise/watchdog.ts) when the portmate
// process that supervised the stack ended without stopping it. Stops what that process left running, then exits.
import { reap } from "../stack/reap.js";
import type { ReapOrder } from "../supervise/watchdog.js";

const order = JSON.parse(process.argv[2] ?? "{}") as ReapOrder;
reap(order).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`portmate reaper: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
