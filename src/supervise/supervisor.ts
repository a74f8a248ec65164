import { setMaxListeners } from "node:events";
import { onExit } from "signal-exit";
import { ServiceFailedError, StopRequestedError } from "../errors.js";
import type { Plan } from "../plan/types.js";
import { describeExit, type StackEvent, type StackListener } from "./events.js";
import { ServiceRunner, StartFailure } from "./service-runner.js";
import { spawnService, type ExitStatus, type Spawner } from "./spawn.js";
import { restartDecision } from "./restart-policy.js";
import { isExpected, isRequested, type ExitReason } from "./service-state.js";
import { killTreeNow } from "../process/terminate.js";
import { renderService } from "../plan/render.js";
import type { PortBook } from "../ports/port-book.js";
import { Rewiring, type RestartReport } from "./rewiring.js";
import { thisSupervisor } from "../process/process-marker.js";
import { Watchdog } from "./watchdog.js";
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

  /** Moves ports when they are stolen, re-wiring the services that refer to them. */
  private readonly rewiring: Rewiring;
  private readonly spawn: Spawner;

  constructor(plan: Plan, options: SupervisorOptions = {}, ports?: PortBook) {
    this.plan = plan;
    const spawn = options.spawn ?? spawnService;
    this.spawn = spawn;
    this.stateDir = options.stateDir;
    this.watchdog = options.watchdog;
    this.runners = plan.services.map(
      (service) =>
        new ServiceRunner(
          service,
          spawn,
          (event) => this.emit(event),
          () => renderService(plan.wiring, service.name, service.instance),
        ),
    );
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
    await Promise.all(targets.map((runner) => this.stopInOrder(runner, options.timeoutMs)));
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

  private async run(runner: ServiceRunner): Promise<void> {
    try {
      await this.dependenciesReady(runner);
    } catch (error) {
      runner.skip(error, skipReason(error));
      return;
    }
    try {
      await runner.start(this.startAbort.signal, {
        onExit: (status, reason) => this.onExit(runner, status, reason),
        exitZeroIsReady: this.awaitedToComplete(runner),
        adopt: (announcement) => this.rewiring.adopt(runner, announcement),
        recover: () => this.rewiring.recoverStolenPort(runner),
        beforeLaunch: () => this.rewiring.keepPortsFree(runner),
        restartsUnresponsive: () => this.restartsUnresponsive(runner),
      });
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
    if (this.phase !== "running") throw new Error(this.phase === "starting" ? "the stack is still starting" : "the stack is not running");
    const runners = ids.map((id) => {
      const runner = this.byId.get(id);
      if (!runner) throw new Error(`no service ${id} in this stack`);
      if (this.stoppingInstances.has(runner.service.instance)) throw new Error(`${id} is being stopped`);
      return runner;
    });
    const reports: RestartReport[] = [];
    for (const runner of runners) reports.push(await this.rewiring.restart(runner, options.newPort === true));
    return reports;
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
