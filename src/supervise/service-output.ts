import type { PlannedHealth } from "../plan/types.js";
import { parseAnnouncement, waitForAnnouncement, type Announcement } from "./announcement.js";
import { isProbeLine, type LineFeed } from "./health.js";
import type { OutputStream } from "./spawn.js";

/** Lines of output kept per service: the last 20 are shown when it fails. */
const KEPT_LINES = 200;

/**
 * What a service printed, over all its runs: the last lines for failure messages and hints, a feed for the
 * `log` health check, and the port announcement a run prints on stdout.
 */
export class ServiceOutput {
  private readonly recent: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  /** Index in `recent` where the current run's output starts. */
  private runFirstLine = 0;
  private announcement: ((announcement: Announcement) => void) | undefined;

  /** Output lines so far and from now on, for the `log` health check. */
  readonly lines: LineFeed = {
    subscribe: (listener) => {
      for (const line of this.recent) listener(line);
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  /** A new run starts: what it prints is told apart from what the runs before it printed. */
  newRun(): void {
    this.runFirstLine = this.recent.length;
  }

  /** Keeps a line, and hands it to the announcement and the checks waiting for one. */
  add(line: string, stream: OutputStream): void {
    this.recent.push(line);
    if (this.recent.length > KEPT_LINES) {
      this.recent.shift();
      this.runFirstLine--;
    }
    if (this.announcement && stream === "stdout") {
      const announcement = parseAnnouncement(line);
      if (announcement) this.announcement(announcement);
    }
    for (const listener of this.listeners) listener(line);
  }

  /**
   * The last `count` lines, oldest first, but the access-log lines of portmate's own `health` checks: they
   * would crowd out what the service said (the failure's reason tells how often the check was answered).
   */
  lastLines(count: number, health: PlannedHealth): string[] {
    return this.recent.filter((line) => !isProbeLine(health, line)).slice(-count);
  }

  /** The lines of the current (or last) run. */
  linesOfThisRun(): string[] {
    return this.recent.slice(Math.max(0, this.runFirstLine));
  }

  /**
   * The port the current run announces (on stdout); rejects at the deadline (or on abort) if it announces none.
   * `timeoutMs` is the service's health timeout, for the message.
   */
  nextAnnouncement(deadline: number, timeoutMs: number, signal: AbortSignal): Promise<Announcement> {
    return waitForAnnouncement({
      printed: this.linesOfThisRun(),
      listen: (listener) => {
        this.announcement = listener;
        return () => (this.announcement = undefined);
      },
      deadline,
      timeoutMs,
      signal,
    });
  }
}
