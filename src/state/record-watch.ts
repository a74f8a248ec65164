import { watch, type FSWatcher } from "node:fs";
import { ensurePrivateDir, type StateLayout } from "./paths.js";

/** How long after a change of the records the listener is called: once for a burst of writes. */
const SETTLE_MS = 5;
/** The listener is called this often anyway, in case a change was not reported (fs.watch can miss one). */
const POLL_MS = 2000;

/**
 * Calls `changed` whenever a stack record is written or removed (a stack started, stopped, or a service of it
 * changed), and every two seconds anyway: for the processes that follow every stack of the user (the proxy,
 * the dashboard).
 */
export class RecordWatch {
  private readonly watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    layout: StateLayout,
    private readonly changed: () => void,
  ) {
    ensurePrivateDir(layout.stacks);
    try {
      this.watcher = watch(layout.stacks, () => this.soon());
      this.watcher.on("error", () => undefined);
    } catch {
      this.watcher = undefined; // polling alone
    }
    this.poll = setInterval(() => this.changed(), POLL_MS);
    this.poll.unref();
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poll);
    clearTimeout(this.pending);
  }

  private soon(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.changed();
    }, SETTLE_MS);
  }
}
