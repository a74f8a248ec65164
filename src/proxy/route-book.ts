import { watch, type FSWatcher } from "node:fs";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";
import { readRoutes, type Route } from "./routes.js";

/** How long after a change of the records the routes are read again: one read for a burst of writes. */
const SETTLE_MS = 5;
/** The records are read again this often anyway, in case a change was not reported (fs.watch can miss one). */
const POLL_MS = 2000;

/**
 * The proxy's routes, kept as the records in the state folder are: read again whenever a record is written or
 * removed, so that every running stack is served at once, whichever process started the proxy, and a service
 * that restarts or moves to another port is followed without asking anyone.
 */
export class RouteBook {
  private routes: Map<string, Route>;
  private readonly listeners = new Set<() => void>();
  private readonly watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly layout: StateLayout) {
    ensurePrivateDir(layout.stacks);
    this.routes = readRoutes(layout);
    try {
      this.watcher = watch(layout.stacks, () => this.changed());
      this.watcher.on("error", () => undefined);
    } catch {
      this.watcher = undefined; // polling alone
    }
    this.poll = setInterval(() => this.reload(), POLL_MS);
    this.poll.unref();
  }

  get(hostname: string): Route | undefined {
    return this.routes.get(hostname);
  }

  get size(): number {
    return this.routes.size;
  }

  all(): Route[] {
    return [...this.routes.values()];
  }

  /** Calls `listener` after every reading of the records; returns how to stop. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The route of `hostname` once `done` holds for it (or it is gone: undefined), or as it is after `timeoutMs`.
   * Ends early, with the route as it is, when `signal` aborts (the client went away).
   */
  until(hostname: string, done: (route: Route | undefined) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Route | undefined> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        stop();
        signal?.removeEventListener("abort", finish);
        resolve(this.routes.get(hostname));
      };
      const stop = this.onChange(() => {
        if (done(this.routes.get(hostname))) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener("abort", finish);
      if (done(this.routes.get(hostname))) finish();
    });
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poll);
    clearTimeout(this.pending);
    this.listeners.clear();
  }

  private changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.reload();
    }, SETTLE_MS);
  }

  private reload(): void {
    this.routes = readRoutes(this.layout);
    for (const listener of [...this.listeners]) listener();
  }
}
