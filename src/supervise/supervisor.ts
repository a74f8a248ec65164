import { setMaxListeners } from "node:events";
import { onExit } from "signal-exit";
import { ServiceFailedError, StopRequestedError } from "../errors.js";
import type { Plan, PlannedService } from "../plan/types.js";
import { startServices, stopServices, type LentServices, type StartReport, type StopReport } from "./stop-start.js";
import { describeExit, type StackEvent, type StackListener } from "./events.js";
import { ServiceRunner, StartFailure, type StartHooks } from "./service-runner.js";
import { spawnService, type ExitStatus, type Spawner } from "./spawn.js";
import { restartDecision } from "./restart-policy.js";
import { isExpected, isRequested, type ExitReason } from "./service-state.js";
import { killTreeNow } from "../process/terminate.js";
import { renderService } from "../plan/render.js";
import type { PortBook } from "../ports/port-book.js";
import { Rewiring, type RestartReport } from "./rewiring.js";
import { thisSupervisor } from "../process/process-marker.js";
import { Watchdog } from "./watchdog.js";
import type { WatchRestarts } from "./watch-restarts.js";
import { reconfigure, type Reconfiguration, type ReconfiguredService } from "./reconfigure.js";
import { daemonHint } from "./daemon-hint.js";
import { failureHint } from "./failure-hints.js";

/** Lines of a failed service's output shown with the error. */
export const FAILURE_LINES = 20;

export interface SupervisorOptions {
  /** Starts a service (default: execa in its own process group). */
  spawn?: Spawner;
  /** The state folder of the stack's records and port reservations, which the watchdog cleans if this process dies. */
  stateDir?: string;
  /** A watchdog started ahead of time (see Watchdog.start); by default one is started with the stack. */
  watchdog?: Watchdog;
}

type Phase = "idle" | "starting" | "running" | "stopped";

/**
 * One stack's lifecycle: starts services as soon as what they depend on is ready (independent ones in
 * parallel), fails fast when one cannot start, and stops everything in reverse dependency order.
 */
export class Supervisor {
  readonly plan: Plan;
  readonly runners: ServiceRunner[];
  private readonly byId: Map<string, ServiceRunner>;
  private readonly listeners = new Set<StackListener>();
  private phase: Phase = "idle";
  private failure: ServiceFailedError | undefined;
  private readonly startAbort = new AbortController();
  /** Rejects when the start is aborted; what waiting for dependencies races against. */
  private readonly startAborted: Promise<never>;
  private readonly hurry = new AbortController();
  private readonly stops = new Map<ServiceRunner, Promise<unknown>>();
  private readonly stoppingInstances = new Set<number>();
  /** Resolves when a stop is hurried: dependents are no longer waited for. */
  private readonly hurried: Promise<void>;
  private removeExitGuard: (() => void) | undefined;
  /** Stops the services if this process dies without stopping them (SIGKILL): see watchdog.ts. */
  private watchdog: Watchdog | undefined;
  private readonly stateDir: string | undefined;
  /** Services being moved off a stolen port after they were healthy: the start is not over before they are. */
  private readonly recoveries = new Set<Promise<void>>();

  /** Restarts services whose `watch:` files change, once the stack is up. */
  private watching: WatchRestarts | undefined;

  /** Moves ports when they are stolen, re-wiring the services that refer to them. */
  private readonly rewiring: Rewiring;
  private readonly spawn: Spawner;

  constructor(plan: Plan, options: SupervisorOptions = {}, ports?: PortBook) {
    this.plan = plan;
    const spawn = options.spawn ?? spawnService;
    this.spawn = spawn;
    this.stateDir = options.stateDir;
    this.watchdog = options.watchdog;
    this.runners = plan.services.map((service) => this.newRunner(service));
    this.rewiring = new Rewiring(plan.wiring, this.runners, ports, (event) => this.emit(event));
    this.byId = new Map(this.runners.map((runner) => [runner.id, runner]));
    // Every service still starting listens to the abort: a big stack has more than Node's default 10.
    setMaxListeners(0, this.startAbort.signal);
    this.startAborted = new Promise<never>((_, reject) => {
      this.startAbort.signal.addEventListener("abort", () => reject(this.startAbort.signal.reason), { once: true });
    });
    this.startAborted.catch(() => undefined);
    this.hurried = new Promise<void>((resolve) => this.hurry.signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  /** A runner of `service`, rendered afresh from the stack's wiring at each launch. */
  private newRunner(service: PlannedService): ServiceRunner {
    return new ServiceRunner(
      service,
      this.spawn,
      (event) => this.emit(event),
      () => renderService(this.plan.wiring, service.name, service.instance),
    );
  }

  /** Listens to what happens; returns the function that stops listening. */
  on(listener: StackListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts every service and resolves once all are healthy. When one fails, stops everything that was started
   * and throws ServiceFailedError; when stop() is called meanwhile, throws StopRequestedError.
   */
  async start(): Promise<void> {
    if (this.phase !== "idle") throw new Error("a supervisor starts once");
    this.phase = "starting";
    // If portmate itself exits without stopping (crash, process.exit, a signal nobody handles), kill every tree.
    this.removeExitGuard = onExit(() => this.killAllNow());
    this.watchdog ??= Watchdog.start();
    this.watchdog?.arm({
      owner: thisSupervisor(),
      ...(this.stateDir === undefined ? {} : { stateDir: this.stateDir }),
      instances: this.plan.instances,
      services: this.plan.services
        .filter((service) => service.instance === 1)
        .map((service) => ({ name: service.name, signal: service.stopSignal, timeoutMs: service.stopTimeoutMs })),
    });
    await Promise.all(this.runners.map((runner) => this.run(runner)));
    while (this.recoveries.size) await Promise.all(this.recoveries);
    if (this.failure) {
      await this.stop();
      throw this.failure;
    }
    if (this.startAbort.signal.aborted) {
      await this.stop();
      throw new StopRequestedError();
    }
    this.phase = "running";
    await this.startWatching();
  }

  /**
   * Once the stack is up, restarts services when their `watch:` files change (see watch-restarts.ts). Loaded
   * only for a stack that has `watch:`: the watcher is no cost to any other.
   */
  private async startWatching(): Promise<void> {
    const services = this.runners.map((runner) => runner.service);
    if (!services.some((service) => service.watch)) return;
    const { WatchRestarts } = await import("./watch-restarts.js");
    const watching = await WatchRestarts.start(services, {
      runners: () => this.runners,
      emit: (event) => this.emit(event),
      restart: (runner) => this.restartOnItsPorts(runner),
      stopping: (runner) => this.stoppingInstances.has(runner.service.instance),
    });
    // Stopped before the watch was ready: it must not outlive the stack.
    if (this.phase !== "running") await watching.close();
    else this.watching = watching;
  }

  /**
   * Stops the services of `instances` (default: all), dependents before what they depend on, each with its stop
   * signal then SIGKILL after its stop timeout (or `timeoutMs`). Resolves when every process of them is gone.
   * Idempotent; `force` (a second Ctrl-C) kills at once, even when a graceful stop is under way. A stop during
   * the start stops every instance: a half-started stack is not left behind.
   */
  async stop(options: { force?: boolean; instances?: readonly number[]; timeoutMs?: number } = {}): Promise<void> {
    if (options.force) this.hurry.abort();
    if (this.phase === "starting" && !this.startAbort.signal.aborted) this.startAbort.abort(new StopRequestedError());
    const everything = this.phase === "starting" || this.phase === "idle" || options.instances === undefined;
    const targets = everything ? this.runners : this.runners.filter((runner) => options.instances?.includes(runner.service.instance));
    // From now on no service of these instances is restarted: a dependency that exits while its dependents are
    // being stopped is part of the stop, not a crash.
    for (const runner of targets) this.stoppingInstances.add(runner.service.instance);
    // No restart for a change from now on (one under way is stopped with its service).
    const watchClosed = everything ? this.watching?.close() : undefined;
    await Promise.all(targets.map((runner) => this.stopInOrder(runner, options.timeoutMs)));
    await watchClosed;
    if (this.runners.every((runner) => runner.stopCalled)) {
      this.phase = "stopped";
      this.removeExitGuard?.();
      await this.watchdog?.close();
    }
  }

  /** Whether the start has finished and not everything has been stopped yet. */
  get isRunning(): boolean {
    return this.phase === "running";
  }

  /** Whether every service that was started has exited and none is waiting to be restarted. */
  allExited(): boolean {
    return this.runners.every((runner) => runner.pid === undefined || (runner.exitStatus !== undefined && runner.status !== "restarting"));
  }

  private emit(event: StackEvent): void {
    for (const listener of this.listeners) listener(event);
    // A service healthy again after a restart (or a move to another port) gets back the tunnel its exit closed.
    if (event.type === "healthy") {
      const runner = this.byId.get(event.service);
      if (runner?.tunnel?.state === "closed" && !this.stoppingInstances.has(runner.service.instance)) void this.openTunnel(runner);
    }
  }

  /**
   * Opens the service's public tunnel, if it has one. A tunnel that fails leaves the service running locally
   * (the failure is an event the CLI tells), unless it is `required`: then the start fails.
   */
  private async openTunnel(runner: ServiceRunner): Promise<void> {
    if (!runner.service.tunnel || runner.stopCalled) return;
    // Loaded only for stacks with tunnels: its HTTPS client costs every other supervisor memory for nothing.
    const { TunnelRunner } = await import("./tunnel-runner.js");
    if (runner.stopCalled) return;
    runner.tunnel ??= new TunnelRunner(
      () => runner.service,
      this.spawn,
      (event) => this.emit(event),
    );
    try {
      await runner.tunnel.open();
    } catch (error) {
      if (runner.service.tunnel.required && this.phase === "starting") this.fail(runner, `could not open its required tunnel: ${(error as Error).message}`);
    }
  }

  /** What the supervisor does at points of `runner`'s start, whenever it starts. */
  private hooks(runner: ServiceRunner): StartHooks {
    return {
      onExit: (status, reason) => this.onExit(runner, status, reason),
      exitZeroIsReady: this.awaitedToComplete(runner),
      adopt: (announcement) => this.rewiring.adopt(runner, announcement),
      recover: () => this.rewiring.recoverStolenPort(runner),
      beforeLaunch: () => this.rewiring.keepPortsFree(runner),
      restartsUnresponsive: () => this.restartsUnresponsive(runner),
    };
  }

  private async run(runner: ServiceRunner): Promise<void> {
    try {
      await this.dependenciesReady(runner);
    } catch (error) {
      runner.skip(error, skipReason(error));
      return;
    }
    try {
      await runner.start(this.startAbort.signal, this.hooks(runner));
      // Ports that moved while it started (its own or those it refers to): restart what still runs with old ones.
      await this.rewiring.refresh(runner);
      await this.openTunnel(runner);
    } catch (error) {
      if (error instanceof StartFailure) this.fail(runner, `${error.message}${await daemonHint(runner)}${failureHint(runner)}`);
      else if (this.startAbort.signal.aborted)
        runner.skip(error, skipReason(error)); // stopped before it was spawned, if it was not
      else this.fail(runner, String(error));
    }
  }

  /**
   * Starts `ids` again, each once healthy before the next (`portmate restart`); with `newPort`, each on newly
   * allocated ports, and the running services that refer to them are restarted too so they point at the new ones.
   */
  async restartServices(ids: readonly string[], options: { newPort?: boolean } = {}): Promise<RestartReport[]> {
    const runners = this.runnersOf(ids);
    const reports: RestartReport[] = [];
    for (const runner of runners) {
      // One stopped by `portmate stop` is started again, as it was (a new port is for a running one to move).
      if (runner.stopCalled && !options.newPort) {
        await this.startServices([runner.id]);
        reports.push({ service: runner.id, moved: [], restarted: [] });
      } else {
        reports.push(await this.rewiring.restart(this.current(runner), options.newPort === true));
      }
    }
    return reports;
  }

  /**
   * Stops services of the running stack (`portmate stop`), dependents first; see stop-start.ts. The stopped
   * keep their ports, so a start brings them back on the same ones.
   */
  stopServices(ids: readonly string[], options: { withDependents?: boolean; timeoutMs?: number } = {}): Promise<StopReport> {
    return stopServices(this.lending(), this.runnersOf(ids), options);
  }

  /** Starts services of the running stack that are not running (`portmate start`); see stop-start.ts. */
  startServices(ids: readonly string[]): Promise<StartReport> {
    return startServices(this.lending(), this.runnersOf(ids));
  }

  /**
   * Applies a config loaded again (see reconfigure.ts) to the running stack: adds, removes and restarts
   * services; then watches the files the config now says.
   */
  async reconfigure(next: Reconfiguration): Promise<ReconfiguredService[]> {
    if (this.phase !== "running") throw new Error(this.phase === "starting" ? "the stack is still starting" : "the stack is not running");
    const added = Array.from({ length: Math.max(next.instances - this.plan.instances, 0) }, (_, index) => this.plan.instances + index + 1);
    const instances = [...this.runningInstances(), ...added];
    this.plan.instances = Math.max(next.instances, this.plan.instances);
    await this.watching?.close();
    this.watching = undefined;
    const report = await reconfigure(
      {
        wiring: this.plan.wiring,
        runners: this.runners,
        instances,
        hurry: this.hurry.signal,
        emit: (event) => this.emit(event),
        newRunner: (service) => this.newRunner(service),
        setRunners: (runners) => {
          for (const runner of this.runners) if (!runners.includes(runner)) this.stops.delete(runner);
          this.runners.splice(0, this.runners.length, ...runners);
          this.byId.clear();
          for (const runner of runners) this.byId.set(runner.id, runner);
        },
        launch: (runner) => this.launchLater(runner),
        restart: (runner) => this.restartOnItsPorts(runner),
      },
      next,
    );
    this.plan.serviceNames.splice(0, this.plan.serviceNames.length, ...next.serviceNames);
    if (this.phase === "running") await this.startWatching();
    return report;
  }

  /** Replaces the run of `runner`'s service (as it is now) with one rendered afresh, on its ports: `portmate restart`. */
  private async restartOnItsPorts(runner: ServiceRunner): Promise<void> {
    await this.rewiring.restart(this.current(runner), false);
  }

  /** The instances that run and are not being stopped. */
  runningInstances(): number[] {
    return Array.from({ length: this.plan.instances }, (_, index) => index + 1).filter((instance) => !this.stoppingInstances.has(instance));
  }

  /** Tells the listeners something that is not a service's doing (a config that changed). */
  notify(event: StackEvent): void {
    this.emit(event);
  }

  /** What stop-start.ts works with. */
  private lending(): LentServices {
    return {
      runners: this.runners,
      hurry: this.hurry.signal,
      emit: (event) => this.emit(event),
      replace: (old) => {
        if (this.stoppingInstances.has(old.service.instance)) throw new Error(`${old.id} is being stopped`);
        return this.replace(old);
      },
      launch: (runner) => this.launchLater(runner),
    };
  }

  /**
   * Starts `runner` after the stack's start, as run() does during it; when it does not come up healthy it is
   * stopped and ServiceFailedError says why, and the rest of the stack runs on.
   */
  private async launchLater(runner: ServiceRunner): Promise<void> {
    try {
      await runner.start(runner.stopSignal, this.hooks(runner));
    } catch (error) {
      const reason = error instanceof StartFailure ? `${error.message}${await daemonHint(runner)}${failureHint(runner)}` : String(error);
      await runner.stop(this.hurry.signal);
      throw new ServiceFailedError(runner.id, reason, runner.lastLines(FAILURE_LINES));
    }
    await this.rewiring.refresh(runner);
    await this.openTunnel(runner);
  }

  /** The runners of `ids`, as they are now; throws, naming it, for an id of no service or of one being stopped. */
  private runnersOf(ids: readonly string[]): ServiceRunner[] {
    if (this.phase !== "running") throw new Error(this.phase === "starting" ? "the stack is still starting" : "the stack is not running");
    return ids.map((id) => {
      const runner = this.byId.get(id);
      if (!runner) throw new Error(`no service ${id} in this stack`);
      if (this.stoppingInstances.has(runner.service.instance)) throw new Error(`${id} is being stopped`);
      return runner;
    });
  }

  /** The runner that runs `runner`'s service now: a start may have replaced it since it was looked up. */
  private current(runner: ServiceRunner): ServiceRunner {
    return this.byId.get(runner.id) ?? runner;
  }

  /** Puts a new runner in the place of `old`, a stopped one: a runner's stop is for good. */
  private replace(old: ServiceRunner): ServiceRunner {
    const runner = this.newRunner(old.service);
    this.runners[this.runners.indexOf(old)] = runner;
    this.byId.set(runner.id, runner);
    this.stops.delete(old);
    return runner;
  }

  /** Waits for each dependency's condition; throws when one can never be met or the start is aborted. */
  private async dependenciesReady(runner: ServiceRunner): Promise<void> {
    // A service that refers to one that announces its port starts once that port is known.
    const announced = runner.service.waitsForAnnounced.map((id) => this.byId.get(id)?.announced.promise);
    const conditions = runner.service.dependsOn.map(async ({ id, condition }) => {
      const dependency = this.byId.get(id);
      if (!dependency) throw new Error(`${runner.id} depends on ${id}, which is not planned`);
      if (condition === "started") return dependency.started.promise;
      if (condition === "healthy") return dependency.healthy.promise;
      const status = await dependency.exited.promise;
      if (status.code !== 0) throw new Error(`${id} ${describeExit(status)}`);
    });
    await Promise.race([Promise.all([...conditions, ...announced]), this.startAborted]);
  }

  private onExit(runner: ServiceRunner, status: ExitStatus, reason: ExitReason): void {
    // No tunnel to a service that is not there: it opens again once the service is healthy again.
    void runner.tunnel?.close();
    const expected = isExpected(reason);
    const event: StackEvent = { type: "exited", service: runner.id, status, requested: isRequested(reason), expected };
    if (reason === "unresponsive") event.unresponsive = true;
    if (this.phase === "running" && !this.stoppingInstances.has(runner.service.instance)) {
      const decision = restartDecision(runner.service.restart, { reason, status, restarts: runner.restarts, ranMs: ranFor(runner) });
      if (decision.restart) {
        event.restartInMs = decision.delayMs;
        void runner.restart(decision);
      } else if (decision.gaveUpAfter !== undefined) {
        event.gaveUpAfter = decision.gaveUpAfter;
      }
    }
    this.emit(event);
    // Healthy, then gone while the rest was starting: the stack cannot come up as configured. (An exit before
    // it was healthy is reported by the runner's own start.)
    // (Unless its port was stolen: another process answered its health check on a port it never got. Then
    // it is moved and started again.)
    if (this.phase === "starting" && !expected && runner.healthyAt !== undefined) {
      const reason = `${describeExit(status)} while the stack was starting`;
      this.track(
        runner,
        this.rewiring.recoverAfterHealthy(runner).then((recovered) => {
          if (recovered !== true) throw recovered instanceof StartFailure ? recovered : new Error(reason);
        }),
      );
    }
  }

  /**
   * Whether a service that fails its liveness check is stopped to be restarted: when its restart policy would
   * restart it after such a stop now. Not while the stack starts (a stop then would fail the start) or stops,
   * nor once its policy has given up: then it is better left running, unhealthy, than stopped for good.
   */
  private restartsUnresponsive(runner: ServiceRunner): boolean {
    if (this.phase !== "running" || this.stoppingInstances.has(runner.service.instance) || runner.stopCalled) return false;
    const status = { code: null, signal: runner.service.stopSignal };
    return restartDecision(runner.service.restart, { reason: "unresponsive", status, restarts: runner.restarts, ranMs: ranFor(runner) }).restart;
  }

  private awaitedToComplete(runner: ServiceRunner): boolean {
    return this.runners.some((other) => other.service.dependsOn.some((dep) => dep.id === runner.id && dep.condition === "completed"));
  }

  /** Keeps the start open until `work` on `runner` (a port check, a recovery) is done; a crash in it fails the start. */
  private track(runner: ServiceRunner, work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      // A stop during the start makes a port check or a restart fail: that is the stop, not a failure.
      if (!this.startAbort.signal.aborted) this.fail(runner, String((error as Error)?.message ?? error));
    });
    this.recoveries.add(tracked);
    void tracked.finally(() => this.recoveries.delete(tracked));
  }

  private fail(runner: ServiceRunner, reason: string): void {
    runner.markFailed();
    if (this.failure) return;
    this.failure = new ServiceFailedError(runner.id, reason, runner.lastLines(FAILURE_LINES));
    this.emit({ type: "failed", service: runner.id, reason });
    this.startAbort.abort(this.failure);
  }

  /** Stops `runner` once the services that depend on it are stopped (all at once when hurried). Memoized. */
  private stopInOrder(runner: ServiceRunner, timeoutMs: number | undefined): Promise<unknown> {
    let stop = this.stops.get(runner);
    if (!stop) {
      const dependents = this.runners.filter((other) => other.service.dependsOn.some((dep) => dep.id === runner.id));
      // Its tunnel closes first: from then on nothing outside reaches a service that is going away.
      const tunnelClosed = runner.tunnel?.close() ?? Promise.resolve();
      stop = Promise.all([Promise.race([Promise.all(dependents.map((dependent) => this.stopInOrder(dependent, timeoutMs))), this.hurried]), tunnelClosed]).then(
        () => runner.stop(this.hurry.signal, timeoutMs),
      );
      this.stops.set(runner, stop);
    }
    return stop;
  }

  /** SIGKILL to every tree, synchronously: portmate is exiting and cannot wait. */
  private killAllNow(): void {
    for (const runner of this.runners) if (runner.root !== undefined) killTreeNow(runner.root, runner.mark);
  }
}

/** How long the service's current (or last) run has lasted; undefined when it never started. */
function ranFor(runner: ServiceRunner): number | undefined {
  return runner.startedAt === undefined ? undefined : Date.now() - runner.startedAt;
}

/** Why a service was not started, in words: `stopped`, `db failed`, `db exited with code 1`. */
function skipReason(error: unknown): string {
  if (error instanceof StopRequestedError) return "stopped";
  if (error instanceof ServiceFailedError) return `${error.service} failed`;
  return error instanceof Error ? error.message : String(error);
}
