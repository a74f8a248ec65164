import type { StateLayout } from "../state/paths.js";
import { RecordWatch } from "../state/record-watch.js";
import { readRoutes, type Route } from "./routes.js";

/**
 * The proxy's routes, kept as the records in the state folder are: read again whenever a record is written or
 * removed, so that every running stack is served at once, whichever process started the proxy, and a service
 * that restarts or moves to another port is followed without asking anyone.
 */
export class RouteBook {
  private routes: Map<string, Route>;
  private readonly listeners = new Set<() => void>();
  private readonly watch: RecordWatch;

  constructor(private readonly layout: StateLayout) {
    this.routes = readRoutes(layout);
    this.watch = new RecordWatch(layout, () => this.reload());
  }

  get(hostname: string): Route | undefined {
    return this.routes.get(hostname);
  }

  /**
   * The route of `hostname` as the records say now, read again: the watch reports a change a moment after it,
   * later under load, and a name that is not there or not ready by the last reading may be by now.
   */
  current(hostname: string): Route | undefined {
    this.reload();
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
    this.watch.close();
    this.listeners.clear();
  }

  private reload(): void {
    this.routes = readRoutes(this.layout);
    for (const listener of [...this.listeners]) listener();
  }
}
