import { setTimeout as sleep } from "node:timers/promises";
import { isGone, type RootProcess } from "./process-tree.js";

/**
 * Stops one process (not its tree): SIGTERM, then SIGKILL if it has not exited within `waitMs`, waiting as long
 * again for it to go. Resolves when it is gone, or when it still is not after both. `target` carries its start
 * time, so that a pid that went to another process meanwhile is never signalled.
 */
export async function stopProcess(target: RootProcess, waitMs: number): Promise<void> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    // Checked before each signal: its pid may have gone to another process meanwhile.
    if (isGone(target.pid, target.startTime)) return;
    try {
      process.kill(target.pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (isGone(target.pid, target.startTime)) return;
      await sleep(50);
    }
  }
}
