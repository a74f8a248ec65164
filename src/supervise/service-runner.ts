import { setTimeout as sleep } from "node:timers/promises";
import type { PlannedService } from "../plan.js";
import { describeExit, type ServiceStatus, type StackListener } from "./events.js";
import { HealthTimeoutError, waitHealthy, type LineFeed } from "./health.js";
import type { ExitStatus, OutputStream, Spawner } from "./spawn.js";
import { identify, type RootProcess } from "./process-tree.js";
import { terminateTree, type TerminateResult } from "./terminate.js";

/** Lines of output kept per service: the last 20 are shown when it fails. */
const KEPT_LINES = 200;

/** Abort reason when a one-off task finished with code 0 before its check passed: that is success. */
const FINISHED = Symbol("finished");

/** Why a service could not be started or made healthy, in words for the user. */
export class StartFailure extends Error {}

/**
 * Makes `controller` abort when `signal` does (AbortSignal.any needs Node 20.3); returns the function that
 * stops listening, so a long-lived signal does not collect one listener per use.
 */
function follow(signal: AbortSignal, controller: AbortController): () => void {
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** A promise with its resolve and reject at hand; never reported as an unhandled rejection. */
class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => undefined);
  }
}

/** One service of one instance: spawns it, checks its health, keeps its output, stops its process tree. */
export class ServiceRunner {
  readonly service: PlannedService;
  status: ServiceStatus = "pending";
  pid: number | undefined;
  /** The main process with its start time, so a reused pid is never mistaken for it. */
  root: RootProcess | undefined;
  startedAt: number | undefined;
  /** When the health check passed; undefined while it has not. */
  healthyAt: number | undefined;
  exitStatus: ExitStatus | undefined;
  /** How many times the service was restarted in a row (reset by the supervisor after a long enough run). */
  restarts = 0;
  /** Resolves once the process runs; rejects if it never will. */
  readonly started = new Deferred<void>();
  /** Resolves once the health check passes; rejects if it never will. */
  readonly healthy = new Deferred<void>();
  /** Resolves when the process exits; rejects if it never ran. */
  readonly exited = new Deferred<ExitStatus>();

  private readonly recent: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();
  private spawning: Promise<unknown> | undefined;
  /** Set by stop(): from then on start() refuses, so nothing is spawned after its stop has finished. */
  private stopRequested = false;
  private stopping: Promise<TerminateResult | undefined> | undefined;
  /** Aborted by stop(): cancels a restart that is waiting or checking health. */
  private readonly stopAbort = new AbortController();
  private onExit: (status: ExitStatus) => void = () => {};

  constructor(
    service: PlannedService,
    private readonly spawn: Spawner,
    private readonly emit: StackListener,
  ) {
    this.service = service;
  }

  get id(): string {
    return this.service.id;
  }

  /** Output lines so far and from now on, for the `log` health check. */
  readonly lines: LineFeed = {
    subscribe: (listener) => {
      for (const line of this.recent) listener(line);
      this.lineListeners.add(listener);
      return () => this.lineListeners.delete(listener);
    },
  };

  /** The last `count` lines of output, oldest first. */
  lastLines(count: number): string[] {
    return this.recent.slice(-count);
  }

  /** Marks the service as never to be started, so nothing waits for it forever. */
  skip(reason: unknown): void {
    if (this.status !== "pending") return;
    this.status = "skipped";
    this.rejectAll(reason);
    this.emit({ type: "skipped", service: this.id });
  }

  /**
   * Spawns the service and resolves once it is healthy; throws StartFailure when it cannot get there.
   * With `exitZeroIsReady` (a one-off task others wait on with `completed`), exiting with code 0 counts as ready.
   * `onExit` is told about every exit of the service, this run's and those of later restarts.
   */
  async start(abort: AbortSignal, onExit: (status: ExitStatus) => void, exitZeroIsReady = false): Promise<void> {
    abort.throwIfAborted();
    if (this.stopRequested) throw new Error(`${this.id} was stopped before it started`);
    this.onExit = onExit;
    let exit: Promise<ExitStatus>;
    try {
      ({ exit } = await this.launch());
    } catch (error) {
      this.status = "failed";
      const failure = new StartFailure(`could not be started: ${(error as Error).message}`);
      this.rejectAll(failure);
      throw failure;
    }
    this.started.resolve();

    const stopWaiting = new AbortController();
    void exit.then((status) => {
      this.exited.resolve(status);
      stopWaiting.abort(status.code === 0 && exitZeroIsReady ? FINISHED : new StartFailure(`${describeExit(status)} before it was healthy`));
    });
    const unfollow = follow(abort, stopWaiting);
    try {
      await this.checkHealth(stopWaiting.signal);
    } catch (error) {
      if (error !== FINISHED) {
        if (this.status === "starting") this.status = "failed";
        const failure = error instanceof HealthTimeoutError ? new StartFailure(error.message) : error;
        this.healthy.reject(failure);
        throw failure;
      }
      this.markHealthy();
    } finally {
      unfollow();
    }
    this.healthy.resolve();
  }

  /**
   * Starts the service again after it exited: first clears what its last run left in its process group (a
   * grandchild could still hold its port), waits `delayMs` (status `restarting`), then spawns it and checks its
   * health again; a missed deadline leaves it running as `unhealthy`. A stop meanwhile cancels all of it.
   */
  async restart(delayMs: number): Promise<void> {
    this.status = "restarting";
    this.restarts++;
    const previous = this.root;
    try {
      if (previous) await terminateTree(previous, { signal: this.service.stopSignal, timeoutMs: this.service.stopTimeoutMs, hurry: this.stopAbort.signal });
      await sleep(delayMs, undefined, { signal: this.stopAbort.signal });
    } catch {
      return; // stopped while waiting
    }
    if (this.stopRequested) return;
    let exit: Promise<ExitStatus>;
    try {
      ({ exit } = await this.launch());
    } catch (error) {
      this.status = "failed";
      this.emit({ type: "unhealthy", service: this.id, reason: `could not be restarted: ${(error as Error).message}` });
      return;
    }
    const stopWaiting = new AbortController();
    void exit.then(() => stopWaiting.abort(new Error("exited")));
    const unfollow = follow(this.stopAbort.signal, stopWaiting);
    try {
      await this.checkHealth(stopWaiting.signal);
    } catch (error) {
      // (launch() has set the status since the start of this method: read it afresh.)
      if (error instanceof HealthTimeoutError && (this.status as ServiceStatus) === "starting") {
        this.status = "unhealthy";
        this.emit({ type: "unhealthy", service: this.id, reason: error.message });
      }
    } finally {
      unfollow();
    }
  }

  /**
   * Stops the service's whole process tree (even when its main process already exited, its descendants may
   * not have). Idempotent: a second call returns the first one's result. `hurry` turns it into SIGKILL at once;
   * `timeoutMs` overrides the service's stop_timeout.
   */
  stop(hurry: AbortSignal, timeoutMs = this.service.stopTimeoutMs): Promise<TerminateResult | undefined> {
    this.stopRequested = true;
    this.stopAbort.abort();
    this.stopping ??= this.terminate(hurry, timeoutMs);
    return this.stopping;
  }

  /** Whether stop() was called: exits from now on are portmate's doing. */
  get stopCalled(): boolean {
    return this.stopRequested;
  }

  /** Spawns one run of the service; resolves once it runs, with the promise of its exit. */
  private async launch(): Promise<{ exit: Promise<ExitStatus> }> {
    this.status = "starting";
    this.exitStatus = undefined;
    this.healthyAt = undefined;
    const spawning = this.spawn(this.service, (line, stream) => this.onLine(line, stream));
    this.spawning = spawning.catch(() => undefined);
    const { pid, exit } = await spawning;
    this.pid = pid;
    this.root = identify(pid);
    this.startedAt = Date.now();
    this.emit({ type: "spawned", service: this.id, pid });
    void exit.then((status) => {
      this.exitStatus = status;
      if (this.status === "starting" || this.status === "healthy" || this.status === "unhealthy") this.status = "exited";
      this.onExit(status);
    });
    return { exit };
  }

  private async checkHealth(signal: AbortSignal): Promise<void> {
    await waitHealthy(this.service, this.lines, (this.startedAt ?? Date.now()) + this.service.health.timeoutMs, signal);
    this.markHealthy();
  }

  private markHealthy(): void {
    if (this.status === "starting") this.status = "healthy";
    this.healthyAt = Date.now();
    this.emit({ type: "healthy", service: this.id, pid: this.pid ?? 0, afterMs: this.healthyAt - (this.startedAt ?? this.healthyAt) });
  }

  private async terminate(hurry: AbortSignal, timeoutMs: number): Promise<TerminateResult | undefined> {
    await this.spawning;
    if (this.root === undefined) return undefined;
    const wasRunning = this.exitStatus === undefined;
    if (wasRunning || this.status === "restarting") this.status = "stopping";
    this.emit({ type: "stopping", service: this.id });
    const result = await terminateTree(this.root, { signal: this.service.stopSignal, timeoutMs, hurry });
    if (this.status === "stopping") this.status = "stopped";
    this.emit({ type: "stopped", service: this.id, forced: result.forced, survivors: result.survivors });
    return result;
  }

  private onLine(line: string, stream: OutputStream): void {
    this.recent.push(line);
    if (this.recent.length > KEPT_LINES) this.recent.shift();
    for (const listener of this.lineListeners) listener(line);
    this.emit({ type: "output", service: this.id, stream, line });
  }

  private rejectAll(reason: unknown): void {
    this.started.reject(reason);
    this.healthy.reject(reason);
    this.exited.reject(reason);
  }
}
