import { formatDuration } from "../../util/duration.js";
import type { PlannedService } from "../../plan/types.js";
import { describeExit, type StackEvent } from "../../supervise/events.js";
import { formatPorts } from "../../stack/format-ports.js";

/** Where a service is in the start, as the progress display draws it. */
export type BoardState = "waiting" | "running" | "ready" | "failed" | "skipped";

/** One service's line of the display: `backend: GET /health → 404 (4s of 30s)`. */
export interface BoardLine {
  id: string;
  state: BoardState;
  text: string;
}

interface Entry {
  service: PlannedService;
  state: BoardState;
  /** When the current state began: the board's start while waiting, the spawn once running. */
  since: number;
  pid?: number;
  /** What its health check got last. */
  check?: string;
  /** How its last run ended, while the start goes on (a one-off task that finished, a crash before the failure). */
  exit?: { code: number | null; text: string };
  /** The line once settled. */
  final?: string;
}

/** A health check's answer is shown after this long; before, `starting (pid …, port …)` says more. */
const QUIET_START_MS = 1000;

/**
 * What every service of a stack is doing while it starts, built from the stack's events: waiting for its
 * dependencies (those still unmet), starting (pid and port), what its health check answers and for how long,
 * ready, failed or not started. Plain data and text: the display draws it, the tests read it.
 */
export class StartBoard {
  private readonly entries = new Map<string, Entry>();

  constructor(
    services: readonly PlannedService[],
    private readonly now: () => number = Date.now,
  ) {
    const at = now();
    for (const service of services) this.entries.set(service.id, { service: { ...service, ports: { ...service.ports } }, state: "waiting", since: at });
  }

  /** The service ids, in the order they are drawn. */
  get ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Takes in one event; returns whether a line changed. */
  apply(event: StackEvent): boolean {
    const entry = this.entries.get(event.service);
    if (!entry) return false;
    if (event.type === "port") {
      entry.service.ports[event.name] = event.port;
      if (Object.keys(entry.service.ports)[0] === event.name) entry.service.port = event.port;
      if (event.url) entry.service.url = event.url;
      return !this.isSettled(entry);
    }
    if (this.isSettled(entry) && !(event.type === "spawned" && entry.state === "ready")) return false;
    switch (event.type) {
      case "spawned":
        // Again after it was ready: it is being moved off a port taken from it while the rest starts.
        Object.assign(entry, { state: "running", since: this.now(), pid: event.pid, check: undefined, exit: undefined, final: undefined });
        return true;
      case "checking":
        entry.check = event.check;
        return true;
      case "exited":
        if (!event.requested) entry.exit = { code: event.status.code, text: describeExit(event.status) };
        return false;
      case "healthy": {
        const after = formatDuration(event.afterMs);
        const finished = entry.exit?.code === 0;
        const where = entry.service.url && !finished ? ` · ${entry.service.url}` : "";
        this.settle(entry, "ready", finished ? `completed in ${after} (${entry.exit?.text})` : `ready in ${after}${where}`);
        return true;
      }
      case "failed":
        this.settle(entry, "failed", event.reason);
        return true;
      case "skipped":
        this.settle(entry, "skipped", this.notStarted(entry, event.reason));
        return true;
      default:
        return false;
    }
  }

  /** Settles every service not settled yet: the start was `stopped`, or it `failed` (another service did). */
  finish(cause: "stopped" | "failed"): void {
    for (const entry of this.entries.values()) {
      if (this.isSettled(entry)) continue;
      if (entry.state === "waiting") this.settle(entry, "skipped", cause === "stopped" ? "not started (stopped)" : "not started");
      else this.settle(entry, "skipped", cause === "stopped" ? "stopped while starting" : "stopped, as the start failed");
    }
  }

  settled(id: string): boolean {
    const entry = this.entries.get(id);
    return entry === undefined || this.isSettled(entry);
  }

  get allSettled(): boolean {
    return [...this.entries.values()].every((entry) => this.isSettled(entry));
  }

  /** The state of a service and its line as of now. */
  line(id: string): BoardLine {
    const entry = this.entries.get(id);
    if (!entry) return { id, state: "skipped", text: id };
    return { id, state: entry.state, text: `${id}: ${this.describe(entry)}` };
  }

  lines(): BoardLine[] {
    return this.ids.map((id) => this.line(id));
  }

  private describe(entry: Entry): string {
    if (entry.final !== undefined) return entry.final;
    const elapsed = this.now() - entry.since;
    if (entry.state === "waiting") {
      const waits = this.unmet(entry).join(", ");
      const text = waits ? `waiting for ${waits}` : "about to start";
      return elapsed >= QUIET_START_MS ? `${text} · ${seconds(elapsed)}` : text;
    }
    if (entry.check === undefined || elapsed < QUIET_START_MS) {
      const ports = formatPorts(entry.service);
      return `starting (pid ${entry.pid}${ports === "-" ? "" : `, port ${ports}`})`;
    }
    return `${entry.check} (${seconds(elapsed)} of ${formatDuration(entry.service.health.timeoutMs)})`;
  }

  /** The dependencies whose condition is not met yet, as `backend (healthy)`. */
  private unmet(entry: Entry): string[] {
    return entry.service.dependsOn
      .filter(({ id, condition }) => {
        const dependency = this.entries.get(id);
        if (!dependency) return false;
        if (condition === "started") return dependency.pid === undefined;
        if (condition === "completed") return !(dependency.state === "ready" && dependency.exit?.code === 0);
        return dependency.state !== "ready";
      })
      .map(({ id, condition }) => `${id} (${condition})`);
  }

  /** Why a service was not started: the dependency that failed, when one did, else `reason`. */
  private notStarted(entry: Entry, reason: string): string {
    const failed = entry.service.dependsOn.map(({ id }) => this.entries.get(id)).find((dependency) => dependency?.state === "failed");
    if (failed) return `not started: ${failed.service.id} failed`;
    return reason === "stopped" ? "not started (stopped)" : `not started: ${reason}`;
  }

  private settle(entry: Entry, state: BoardState, text: string): void {
    entry.state = state;
    entry.final = text;
  }

  private isSettled(entry: Entry): boolean {
    return entry.final !== undefined;
  }
}

/** `4s`: whole seconds, as a clock that ticks once a second shows them. */
function seconds(ms: number): string {
  return `${Math.floor(ms / 1000)}s`;
}
