import { setTimeout as sleep } from "node:timers/promises";
import type { PlannedService } from "../plan/types.js";
import { describeExit, type StackListener } from "./events.js";
import { checkTransition, isUp, ownExitReason, type ExitReason, type ServiceStatus } from "./service-state.js";
import { HealthTimeoutError, waitHealthy, type LineFeed } from "./health.js";
import type { ExitStatus, OutputStream, Spawner } from "./spawn.js";
import { identify, type RootProcess } from "../process/process-tree.js";
import { serviceQuery, thisSupervisor, type MarkQuery } from "../process/process-marker.js";
import { terminateTree, type TerminateOptions, type TerminateResult } from "../process/terminate.js";
import type { Announcement } from "./announcement.js";
import { ServiceOutput } from "./service-output.js";
import { Deferred, follow } from "../util/deferred.js";
import { offItsPort, watchPortTruth } from "./port-truth.js";
import type { TunnelRunner } from "./tunnel-runner.js";
import { leftDaemons } from "../ports/left-daemons.js";
import { watchLiveness } from "./liveness.js";

export type { Announcement } from "./announcement.js";

/** Abort reason when a one-off task finished with code 0 before its check passed: that is success. */
const FINISHED = Symbol("finished");

/** Why a service could not be started or made healthy, in words for the user. */
export class StartFailure extends Error {}

/** How long after a service became healthy it is checked to be on its own port (see checkPortLater). */
const PORT_CHECK_AFTER_MS = 2000;

/** What the supervisor does at points of a service's start. */
export interface StartHooks {
  /** Told about every exit of the service, this run's and those of later restarts, with why it ended. */
  onExit: (status: ExitStatus, reason: ExitReason) => void;
  /** A one-off task others wait on with `completed`: exiting with code 0 counts as ready. */
  exitZeroIsReady?: boolean;
  /** Takes on the port the service announced (the service is rendered again) before its health is checked. */
  adopt?: (announcement: Announcement) => Promise<void>;
  /**
   * The service exited before it was healthy: true when the cause is fixed (a port taken by another process
   * was replaced) and the service should be started again; a StartFailure that says better what went wrong;
   * false when there is nothing to do.
   */
  recover?: (failure: StartFailure) => Promise<boolean | StartFailure>;
  /** Before each launch during the start: makes sure its ports are still free (moving those that are not). */
  beforeLaunch?: () => Promise<void>;
  /**
   * It fails its liveness check: true when its restart policy would restart it now (then its tree is stopped,
   * and onExit hears of it as `unresponsive`); false leaves it running as `unhealthy`.
   */
  restartsUnresponsive?: () => boolean;
}

/** What one launch came to (see launchAndWait). */
type LaunchOutcome =
  /** Its check passed; `exit` resolves when this run exits. */
  | { kind: "healthy"; exit: Promise<ExitStatus> }
  /** A one-off task others wait for exited with code 0 before its check passed: it did its job. */
  | { kind: "finished"; status: ExitStatus }
  /** It could not be rendered or spawned: it is `failed`. */
  | { kind: "not-spawned"; error: Error }
  /** It exited first (`exited`), missed its deadline, was found off its port, or `signal` ended the wait. */
  | { kind: "not-healthy"; error: unknown; exited: ExitStatus | undefined };

/**
 * One service of one instance: spawns it, checks its health, restarts or replaces it, stops its process tree,
 * and is the one writer of its status (see changeState). The service is rendered afresh at every launch
 * (`render`), so a run uses the ports of the moment.
 */
export class ServiceRunner {
  service: PlannedService;
  pid: number | undefined;
  /** The main process with its start time, so a reused pid is never mistaken for it. */
  root: RootProcess | undefined;
  startedAt: number | undefined;
  /** When the health check passed; undefined while it has not. */
  healthyAt: number | undefined;
  exitStatus: ExitStatus | undefined;
  /** Resolves once the process runs; rejects if it never will. */
  readonly started = new Deferred<void>();
  /** Resolves once the health check passes; rejects if it never will. */
  readonly healthy = new Deferred<void>();
  /** Resolves when the process exits; rejects if it never ran. */
  readonly exited = new Deferred<ExitStatus>();
  /** Resolves once a service that announces its port has (and its port is adopted); rejects if it never will. */
  readonly announced = new Deferred<void>();
  /** Ports replaced because another process took them as the service started. */
  portMoves = 0;
  /** Its public tunnel (opened by the supervisor once it is healthy, when the service has one). */
  tunnel: TunnelRunner | undefined;

  /** Where the service is in its life: changed by changeState() alone. */
  private current: ServiceStatus = "pending";
  /**
   * Why the current run ended or is being ended; undefined while it runs and nobody asked it to end. `stopped`
   * stays for good: stop() was called, so nothing is spawned any more and every exit is portmate's doing.
   */
  private reason: ExitReason | undefined;
  private restartsInARow = 0;
  private readonly output = new ServiceOutput();
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<TerminateResult | undefined> | undefined;
  /** Aborted by stop(): cancels a restart that is waiting or checking health. */
  private readonly stopAbort = new AbortController();
  private hooks: StartHooks = { onExit: () => {} };
  /** The exit of the current run. */
  private currentExit: Promise<ExitStatus> | undefined;
  /** What the health check of the current run got last, as last told (told again only when it changes). */
  private lastCheck: string | undefined;
  /** What the health check of the current run answered when it passed. */
  private passedCheck: string | undefined;
  /** Ends the liveness checks of the current run (see watchLivenessOf). */
  private liveness: AbortController | undefined;

  constructor(
    service: PlannedService,
    private readonly spawn: Spawner,
    private readonly emit: StackListener,
    private readonly render: () => PlannedService = () => this.service,
  ) {
    this.service = service;
  }

  get id(): string {
    return this.service.id;
  }

  /** Where the service is in its life (see TRANSITIONS for how that changes). */
  get status(): ServiceStatus {
    return this.current;
  }

  /** How many times the service was restarted in a row (a long enough run starts the count again). */
  get restarts(): number {
    return this.restartsInARow;
  }

  /** Output lines so far and from now on, for the `log` health check. */
  get lines(): LineFeed {
    return this.output.lines;
  }

  /** The last `count` lines of output, oldest first, but the access-log lines of its own health checks. */
  lastLines(count: number): string[] {
    return this.output.lastLines(count, this.service.health);
  }

  /** The lines of output of the current (or last) run. */
  linesOfThisRun(): string[] {
    return this.output.linesOfThisRun();
  }

  /** Whether the service's process runs now (started, not exited, not being stopped). */
  get isRunning(): boolean {
    return this.pid !== undefined && this.exitStatus === undefined && !this.stopCalled;
  }

  /** Marks the service as never to be started, so nothing waits for it forever. */
  skip(reason: unknown, why: string): void {
    if (this.status !== "pending") return;
    this.changeState("skipped");
    this.rejectAll(reason);
    this.emit({ type: "skipped", service: this.id, reason: why });
  }

  /** Marks the service whose trouble failed the stack's start, whatever it was doing then. */
  markFailed(): void {
    if (this.status !== "failed") this.changeState("failed");
  }

  /**
   * Spawns the service and resolves once it is healthy; throws StartFailure when it cannot get there. When it
   * exits first and `hooks.recover` fixes the cause, it is spawned again.
   */
  async start(abort: AbortSignal, hooks: StartHooks): Promise<void> {
    abort.throwIfAborted();
    if (this.stopCalled) throw new Error(`${this.id} was stopped before it started`);
    this.hooks = hooks;
    for (;;) {
      await hooks.beforeLaunch?.();
      abort.throwIfAborted();
      const run = await this.launchAndWait(abort, hooks.exitZeroIsReady === true);
      if (run.kind === "healthy") {
        void run.exit.then((status) => this.exited.resolve(status));
      } else if (run.kind === "finished") {
        this.exited.resolve(run.status);
        this.markHealthy();
      } else if (run.kind === "not-spawned") {
        const failure = new StartFailure(`could not be started: ${run.error.message}`);
        this.rejectAll(failure);
        throw failure;
      } else {
        const { error, exited } = run;
        const recovered = exited && error instanceof StartFailure && !abort.aborted ? await hooks.recover?.(error).catch((reason: unknown) => reason) : false;
        if (recovered === true) continue;
        if (exited) this.exited.resolve(exited);
        if (this.status === "starting") this.changeState("failed");
        const failure = recovered instanceof StartFailure ? recovered : asStartFailure(error);
        this.healthy.reject(failure);
        this.announced.reject(failure);
        throw failure;
      }
      this.healthy.resolve();
      return;
    }
  }

  /**
   * Starts the service again after it exited, as its restart policy decided: first clears what its last run
   * left in its process group (a grandchild could still hold its port), waits `delayMs` (status `restarting`),
   * then spawns it and checks its health again; a missed deadline leaves it running as `unhealthy`. A stop
   * meanwhile cancels all of it.
   */
  async restart({ delayMs, restarts }: { delayMs: number; restarts: number }): Promise<void> {
    this.changeState("restarting");
    this.restartsInARow = restarts + 1;
    const previous = this.root;
    try {
      if (previous) await terminateTree(previous, { ...this.stopOptions(), hurry: this.stopAbort.signal });
      await sleep(delayMs, undefined, { signal: this.stopAbort.signal });
    } catch {
      return; // stopped while waiting
    }
    // Stopped meanwhile, or `portmate restart` has launched it already: a second run would fight the first for its port.
    if (this.stopCalled || this.status !== "restarting") return;
    const run = await this.launchAndWait(this.stopAbort.signal, false);
    if (run.kind === "not-spawned") {
      this.emit({ type: "unhealthy", service: this.id, reason: `could not be restarted: ${run.error.message}` });
      return;
    }
    // A missed deadline leaves it running, as unhealthy.
    // (launchAndWait() has changed the status since it was read above: read it afresh.)
    if (run.kind === "not-healthy" && run.error instanceof HealthTimeoutError && (this.status as ServiceStatus) === "starting") {
      this.changeState("unhealthy");
      this.emit({ type: "unhealthy", service: this.id, reason: run.error.message });
    }
  }

  /**
   * Replaces the running service with a new run, rendered afresh (`portmate restart`, a port that moved): its
   * whole tree is stopped (an exit portmate asked for, not a crash), then it is started and checked again.
   * Resolves once healthy; throws StartFailure when it is not.
   */
  async relaunch(): Promise<void> {
    if (this.stopCalled) throw new StartFailure("is being stopped");
    // Its exit is reported once its output is read: it must be seen before the next launch forgets why it ended.
    await this.stopCurrentRun();
    if (this.stopCalled) throw new StartFailure("is being stopped");
    const run = await this.launchAndWait(this.stopAbort.signal, false);
    if (run.kind === "not-spawned") throw new StartFailure(`could not be started: ${run.error.message}`);
    if (run.kind === "not-healthy") {
      if (this.status === "starting") this.changeState("unhealthy");
      throw asStartFailure(run.error);
    }
  }

  /**
   * Stops the service's whole process tree (even when its main process already exited, its descendants may
   * not have). Idempotent: a second call returns the first one's result. `hurry` turns it into SIGKILL at once;
   * `timeoutMs` overrides the service's stop_timeout.
   */
  stop(hurry: AbortSignal, timeoutMs = this.service.stopTimeoutMs): Promise<TerminateResult | undefined> {
    this.reason = "stopped";
    this.endLiveness();
    this.stopAbort.abort();
    this.stopping ??= this.terminate(hurry, timeoutMs);
    return this.stopping;
  }

  /** Whether stop() was called: exits from now on are portmate's doing. */
  get stopCalled(): boolean {
    return this.reason === "stopped";
  }

  /** Aborted once stop() is called: what a start after the stack's own start ends its waits on. */
  get stopSignal(): AbortSignal {
    return this.stopAbort.signal;
  }

  /**
   * One run, as start(), restart() and relaunch() all make it: spawns the service, rendered afresh, and waits
   * until it is ready (its port announced, its check passed), until it exits, or until `signal` ends the wait.
   * With `exitZeroIsReady`, an exit with code 0 before it is ready is a one-off task that did its job.
   */
  private async launchAndWait(signal: AbortSignal, exitZeroIsReady: boolean): Promise<LaunchOutcome> {
    // Starting before it is rendered: a template that fails to render makes a launch that failed, like a spawn.
    // (Outside the try: a change the table refuses is a bug, not a launch that failed.)
    this.changeState("starting");
    if (!this.stopCalled) this.reason = undefined;
    let exit: Promise<ExitStatus>;
    try {
      ({ exit } = await this.launch());
    } catch (error) {
      if (this.status === "starting") this.changeState("failed");
      return { kind: "not-spawned", error: error as Error };
    }
    this.started.resolve();
    const stopWaiting = new AbortController();
    let exited: ExitStatus | undefined;
    void exit.then((status) => {
      exited = status;
      stopWaiting.abort(status.code === 0 && exitZeroIsReady ? FINISHED : new StartFailure(`${describeExit(status)} before it was healthy`));
    });
    const unfollow = follow(signal, stopWaiting);
    try {
      await this.ready(stopWaiting.signal);
      return { kind: "healthy", exit };
    } catch (error) {
      return error === FINISHED && exited ? { kind: "finished", status: exited } : { kind: "not-healthy", error, exited };
    } finally {
      unfollow();
    }
  }

  /** Spawns one run of the service, rendered afresh; resolves once it runs, with the promise of its exit. */
  private async launch(): Promise<{ exit: Promise<ExitStatus> }> {
    this.service = this.render();
    this.exitStatus = undefined;
    this.healthyAt = undefined;
    this.output.newRun();
    this.lastCheck = undefined;
    this.passedCheck = undefined;
    this.endLiveness();
    const spawning = this.spawn(this.service, (line, stream) => this.onLine(line, stream));
    this.spawning = spawning.catch(() => undefined);
    const { pid, exit } = await spawning;
    this.pid = pid;
    this.root = identify(pid);
    this.startedAt = Date.now();
    this.emit({ type: "spawned", service: this.id, pid });
    this.currentExit = exit.then((status) => {
      this.exitStatus = status;
      this.endLiveness();
      this.reason ??= ownExitReason(status.code, this.service.health.kind === "none" || this.hooks.exitZeroIsReady === true);
      if (isUp(this.status)) this.changeState("exited");
      this.hooks.onExit(status, this.reason);
      return status;
    });
    return { exit };
  }

  /** Waits for the port announcement (when the service makes one), then for the health check to pass. */
  private async ready(signal: AbortSignal): Promise<void> {
    const deadline = (this.startedAt ?? Date.now()) + this.service.health.timeoutMs;
    if (this.service.announce) {
      this.checked("waiting for its port announcement");
      const announcement = await this.output.nextAnnouncement(deadline, this.service.health.timeoutMs, signal);
      await this.hooks.adopt?.(announcement);
      this.announced.resolve();
    }
    // A service that listens elsewhere than on its port is told apart from one that is slow to start.
    // The wait ends with `signal`, or when the watcher finds the service listening elsewhere.
    const checking = new AbortController();
    const unfollow = follow(signal, checking);
    const watching = watchPortTruth(
      () => ({ service: this.service, root: this.root, mark: this.mark, lastCheck: this.lastCheck }),
      checking.signal,
      (reason) => checking.abort(new StartFailure(reason)),
    );
    try {
      this.passedCheck = await waitHealthy(this.service, this.lines, deadline, checking.signal, (brief) => this.checked(brief));
    } finally {
      unfollow();
      checking.abort();
      await watching;
    }
    this.markHealthy();
    this.checkPortLater();
    this.watchLivenessOf(this.root);
  }

  /**
   * Once it is ready, keeps checking it when `health.liveness` asks (never while it gets ready): failing the
   * check makes it `unhealthy`, and when its restart policy says so its whole tree is stopped for a restart;
   * passing again makes it `healthy`. The checks end with the run (`root`), and when it is stopped or replaced.
   */
  private watchLivenessOf(root: RootProcess | undefined): void {
    const { liveness } = this.service.health;
    if (!liveness || this.stopCalled) return;
    this.endLiveness();
    const watch = new AbortController();
    this.liveness = watch;
    const current = () => this.root === root && this.exitStatus === undefined && !this.stopCalled;
    let failedLiveness = false;
    void watchLiveness(this.service, liveness, watch.signal, {
      failing: (reason, first) => {
        if (!current() || (this.status !== "healthy" && this.status !== "unhealthy")) return;
        if (this.status === "healthy") this.changeState("unhealthy");
        failedLiveness = true;
        const restart = this.hooks.restartsUnresponsive?.() === true;
        if (first || restart) this.emit({ type: "unhealthy", service: this.id, reason: restart ? `${reason}; restarting it` : reason });
        if (!restart) return;
        watch.abort();
        void this.stopUnresponsive();
      },
      recovered: (check) => {
        // Only its own verdict is taken back: one found off its port stays unhealthy.
        if (!current() || !failedLiveness || this.status !== "unhealthy") return;
        failedLiveness = false;
        this.changeState("healthy");
        this.emit({ type: "healthy", service: this.id, pid: this.pid ?? 0, afterMs: Date.now() - (this.startedAt ?? Date.now()), recovered: true, check });
      },
    });
  }

  private endLiveness(): void {
    this.liveness?.abort();
    this.liveness = undefined;
  }

  /**
   * Stops the whole tree of a run that failed its liveness check (graceful, then forceful after its
   * stop_timeout: a hung service may not heed its stop signal), so that onExit restarts it. A stop or a
   * replacement meanwhile keeps its own reason.
   */
  private async stopUnresponsive(): Promise<void> {
    this.reason ??= "unresponsive";
    if (this.root) await terminateTree(this.root, { ...this.stopOptions(), hurry: this.stopAbort.signal });
  }

  /**
   * A moment after it became healthy, off the start-up path: when it listens, but on none of its ports (its
   * health check did not look, or another program answered it), it is marked unhealthy, with why and what to do.
   */
  private checkPortLater(): void {
    const root = this.root;
    const timer = setTimeout(() => {
      if (this.root !== root || this.status !== "healthy") return;
      void offItsPort({ service: this.service, root: this.root, mark: this.mark, lastCheck: this.lastCheck }).then((reason) => {
        if (!reason || this.root !== root || this.status !== "healthy") return;
        this.changeState("unhealthy");
        this.emit({ type: "unhealthy", service: this.id, reason });
      });
    }, PORT_CHECK_AFTER_MS);
    timer.unref();
  }

  /** Tells what the health check got, when that changed since it last told. */
  private checked(check: string): void {
    if (check === this.lastCheck) return;
    this.lastCheck = check;
    this.emit({ type: "checking", service: this.id, check });
  }

  /** Stops the current run's whole tree (portmate's doing, not a crash) and resolves with its exit. */
  private async stopCurrentRun(): Promise<ExitStatus | undefined> {
    // A run that already ended keeps its own reason.
    this.reason ??= "replaced";
    this.endLiveness();
    if (this.root) await terminateTree(this.root, { ...this.stopOptions(), hurry: this.stopAbort.signal });
    return await this.currentExit;
  }

  private markHealthy(): void {
    if (this.status === "starting") this.changeState("healthy");
    this.healthyAt = Date.now();
    this.emit({ type: "healthy", service: this.id, pid: this.pid ?? 0, afterMs: this.healthyAt - (this.startedAt ?? this.healthyAt), check: this.passedCheck });
  }

  private async terminate(hurry: AbortSignal, timeoutMs: number): Promise<TerminateResult | undefined> {
    await this.spawning;
    if (this.root === undefined) return undefined;
    const wasRunning = this.exitStatus === undefined;
    if (wasRunning || this.status === "restarting") this.changeState("stopping");
    this.emit({ type: "stopping", service: this.id });
    const result = await terminateTree(this.root, { ...this.stopOptions(), timeoutMs, hurry });
    if (this.status === "stopping") this.changeState("stopped");
    this.emit({ type: "stopped", service: this.id, forced: result.forced, survivors: result.survivors });
    return result;
  }

  /**
   * The one place the status changes. A change the table does not allow is a bug in portmate: it throws, so
   * that it is reported as one rather than leaving a service in a state nothing else expects.
   */
  private changeState(next: ServiceStatus): void {
    checkTransition(this.id, this.current, next);
    this.current = next;
  }

  /** What finds this service's processes that left its group and tree: the mark they were started with. */
  get mark(): MarkQuery {
    return serviceQuery(thisSupervisor(), this.id);
  }

  private stopOptions(): TerminateOptions {
    const ports = Object.values(this.service.ports);
    return {
      signal: this.service.stopSignal,
      timeoutMs: this.service.stopTimeoutMs,
      mark: this.mark,
      leftBehind: (root) => leftDaemons(ports, root.startTime),
    };
  }

  private onLine(line: string, stream: OutputStream): void {
    this.output.add(line, stream);
    this.emit({ type: "output", service: this.id, stream, line });
  }

  private rejectAll(reason: unknown): void {
    this.started.reject(reason);
    this.healthy.reject(reason);
    this.exited.reject(reason);
    this.announced.reject(reason);
  }
}

/** A missed deadline is a StartFailure that says what was missed; any other error stays as it is. */
function asStartFailure(error: unknown): unknown {
  return error instanceof HealthTimeoutError ? new StartFailure(error.message) : error;
}
