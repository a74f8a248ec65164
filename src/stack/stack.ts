import { setTimeout as sleep } from "node:timers/promises";
import { acceptsConnections } from "../ports/probe.js";
import type { Plan } from "../plan/types.js";
import type { PortBook } from "../ports/port-book.js";
import type { ServiceStatus, StackEvent, StackListener } from "../supervise/events.js";
import type { RestartReport } from "../supervise/rewiring.js";
import type { StartReport, StopReport } from "../supervise/stop-start.js";
import type { Reconfiguration, ReconfiguredService } from "../supervise/reconfigure.js";
import type { PortRequest } from "../ports/allocate.js";
import type { ServiceRunner } from "../supervise/service-runner.js";
import type { TunnelState } from "../supervise/tunnel-runner.js";
import { Supervisor, type SupervisorOptions } from "../supervise/supervisor.js";
import { ProxyLink } from "../proxy/proxy-link.js";
import { stateLayout } from "../state/paths.js";

/** One service of one instance, as callers see it. */
export interface ServiceInfo {
  name: string;
  instance: number;
  /** `backend`, or `backend#2` for instance 2. */
  id: string;
  /** Primary port; undefined for `port: none`. */
  port: number | undefined;
  /** Every port by name, primary first. */
  ports: Record<string, number>;
  /** `http://127.0.0.1:PORT`, when the service has a port. */
  url: string | undefined;
  pid: number | undefined;
  status: ServiceStatus;
  /** When its current process started. */
  startedAt: Date | undefined;
  /** Exit code of its last run, once it exited (null when a signal ended it). */
  exitCode: number | null | undefined;
  /** Restarts in a row by its restart policy. */
  restarts: number;
  /** Its public tunnel's URL while the tunnel is open (verified, unless the config turned verifying off). */
  publicUrl: string | undefined;
  /** Its public tunnel, when it has one: where it is, and why it failed if it did. */
  tunnel?: { state: TunnelState; reason?: string };
  /** Its URL through the local proxy (`http://ui.demo.localhost:1356`), when the project has `proxy:`. */
  namedUrl?: string;
}

/** Options of `stack.down()`. */
export interface DownOptions {
  /** Kill at once (SIGKILL), also when a graceful stop is under way. */
  force?: boolean;
  /** Stop only these instances (1-based); default: all. During the start, every instance is stopped. */
  instances?: readonly number[];
  /** Overrides every service's stop_timeout, in ms. */
  timeoutMs?: number;
}

export interface StackOptions extends SupervisorOptions {
  /**
   * Reads the stack's config again and applies what changed (see reload.ts, which `up()` and the detached
   * supervisor pass here: it reads and plans configs, which the stack itself does not).
   */
  reload?: (stack: Stack, services: readonly string[], instances?: number) => Promise<ReconfiguredService[]>;
  /** Told the stack's ports once it is up, and again whenever one changes: what the next `up` prefers. */
  rememberPorts?: (ports: Readonly<Record<string, number>>) => void;
  /** Lines worth telling that are no warning (a last run's port that is taken now). */
  notices?: string[];
}

/**
 * A planned or running stack. `start()` runs it; `down()` stops everything and releases its ports.
 * Made by `up()` (already started) or `prepareStack()` (not started yet).
 */
export class Stack {
  /** Things worth telling that did not stop anything: unset variables, busy preferred ports. */
  readonly warnings: readonly string[];
  /** Lines worth telling that are no warning: a last run's port that is taken now. */
  readonly notices: readonly string[];
  private readonly supervisor: Supervisor;
  private readonly ports: PortBook;
  private readonly rememberPorts: (ports: Readonly<Record<string, number>>) => void;
  private downing: Promise<void> | undefined;
  private readonly reloader: StackOptions["reload"];
  /** The reload under way, if any: the next waits for it. */
  private reloading: Promise<unknown> = Promise.resolve();
  /** Stops applying the config when it is saved. */
  private unwatchConfig: (() => void) | undefined;
  /** The stack's hold on the local proxy, while it runs with names (see ProxyLink). */
  private proxyLink: ProxyLink | undefined;
  private readonly stateDir: string | undefined;

  constructor(plan: Plan, ports: PortBook, warnings: string[], options: StackOptions = {}) {
    this.ports = ports;
    this.warnings = warnings;
    this.notices = options.notices ?? [];
    this.supervisor = new Supervisor(plan, options, ports);
    this.rememberPorts = options.rememberPorts ?? (() => {});
    this.reloader = options.reload;
    this.stateDir = options.stateDir;
    this.on((event) => {
      if (event.type === "port" && this.isRunning) this.remember();
    });
  }

  /** The plan, with every service as it runs now (its ports may have changed since the start). */
  get plan(): Plan {
    return { ...this.supervisor.plan, services: this.supervisor.runners.map((runner) => runner.service) };
  }

  get project(): string {
    return this.plan.project;
  }

  /** The services of instance 1, by name: `stack.services.backend.url`. */
  get services(): Record<string, ServiceInfo> {
    return this.instances[0]?.services ?? {};
  }

  /** Every instance with its services by name. */
  get instances(): Array<{ instance: number; services: Record<string, ServiceInfo> }> {
    const list = Array.from({ length: this.plan.instances }, (_, index) => ({ instance: index + 1, services: {} as Record<string, ServiceInfo> }));
    for (const runner of this.supervisor.runners) {
      const target = list[runner.service.instance - 1];
      if (target) target.services[runner.service.name] = info(runner);
    }
    return list;
  }

  /** The ids of an instance's services, in start order (dependencies first). */
  serviceIds(instance: number): string[] {
    return this.supervisor.runners.filter((runner) => runner.service.instance === instance).map((runner) => runner.id);
  }

  /** Every service of every instance, in start order. */
  list(): ServiceInfo[] {
    return this.supervisor.runners.map(info);
  }

  /** Listens to what happens; returns the function that stops listening. */
  on(listener: StackListener): () => void {
    return this.supervisor.on(listener);
  }

  /**
   * Starts every service; resolves once all are healthy. On failure everything is stopped and ports released.
   * From then on, saving the config applies it (see reload.ts), unless the stack was planned without watching.
   */
  async start(): Promise<void> {
    // Its names need the proxy: held while the stack runs, started again on the same port should it die.
    const names = this.plan.wiring.names;
    if (names) this.proxyLink ??= ProxyLink.open(stateLayout(this.stateDir), names.port);
    try {
      await this.supervisor.start();
    } catch (error) {
      await this.down();
      throw error;
    }
    this.remember();
    if (this.plan.reload?.watch && this.reloader && !this.downing) {
      const { watchConfig } = await import("./config-watch.js");
      if (!this.downing) this.unwatchConfig = watchConfig(this);
    }
  }

  /**
   * Reads the config again and applies what changed, as saving it does; `services` join those the stack runs
   * (`portmate up debugger` on a running stack); `instances` above those it has adds instances. See reload.ts.
   */
  reload(services: readonly string[] = [], instances?: number): Promise<ReconfiguredService[]> {
    // One at a time: a save seen by the watch and a `portmate up` at the same moment apply in turn.
    const reload = this.reloader;
    if (!reload) return Promise.reject(new Error(`${this.project} cannot read its config again: it was not started from one`));
    const next = this.reloading.then(() => reload(this, services, instances));
    this.reloading = next.catch(() => undefined);
    return next;
  }

  /** Applies a config read again to the running stack (see supervise/reconfigure.ts); remembers the ports. */
  async reconfigure(next: Reconfiguration): Promise<ReconfiguredService[]> {
    const report = await this.supervisor.reconfigure(next);
    this.remember();
    const unchanged = report.filter((line) => line.action === "unchanged").length;
    this.notify({ type: "config", service: "", file: this.plan.configFile, state: "applied", unchanged });
    return report;
  }

  /** The instances that run and are not being stopped. */
  runningInstances(): number[] {
    return this.supervisor.runningInstances();
  }

  /** New ports for `requests`, reserved with the stack's own; never one of `avoid`. */
  allocatePorts(requests: readonly PortRequest[], avoid: Iterable<number>): Promise<ReadonlyMap<string, number>> {
    return this.ports.allocateAll(requests, avoid);
  }

  /** Gives back ports the stack no longer uses. */
  releasePorts(ports: readonly number[]): Promise<void> {
    return ports.length ? this.ports.release(ports) : Promise.resolve();
  }

  /** Tells the stack's listeners something that is not a service's doing (a config that changed). */
  notify(event: StackEvent): void {
    this.supervisor.notify(event);
  }

  /**
   * Restarts services by id (`backend`, `backend#2`), each healthy before the next. With `newPort`, each gets
   * new ports, and the running services that refer to them are restarted too, so they point at the new ports.
   */
  restart(ids: readonly string[], options: { newPort?: boolean } = {}): Promise<RestartReport[]> {
    return this.supervisor.restartServices(ids, options);
  }

  /**
   * Stops services by id, dependents first, keeping their ports; `withDependents` stops the services that
   * depend on them too, else those keep running (the report names them).
   */
  stopServices(ids: readonly string[], options: { withDependents?: boolean; timeoutMs?: number } = {}): Promise<StopReport> {
    return this.supervisor.stopServices(ids, options);
  }

  /**
   * Starts services by id that are not running (stopped, exited), with the stopped ones they depend on first,
   * each on the ports it had; resolves once they are healthy, throws ServiceFailedError when one is not.
   */
  startServices(ids: readonly string[]): Promise<StartReport> {
    return this.supervisor.startServices(ids);
  }

  private remember(): void {
    try {
      this.rememberPorts(this.supervisor.plan.wiring.ports);
    } catch {
      // Remembering ports is a convenience: a state folder that cannot be written must not stop the stack.
    }
  }

  /** Whether the stack started and is not fully stopped. */
  get isRunning(): boolean {
    return this.supervisor.isRunning;
  }

  /** Whether every service that was started has exited by itself. */
  allExited(): boolean {
    return this.supervisor.allExited();
  }

  /**
   * Stops every service, or those of some instances (dependents first; stop signal, then SIGKILL after the
   * stop timeout), and releases their ports. Resolves when every process is gone. Idempotent; `force` kills at
   * once, even during a graceful stop.
   */
  down(options: DownOptions = {}): Promise<void> {
    if (options.instances === undefined) {
      this.unwatchConfig?.();
      this.unwatchConfig = undefined;
    }
    const instances = options.instances === undefined ? undefined : new Set(options.instances);
    const ports = this.plan.services.filter((service) => !instances || instances.has(service.instance)).flatMap((service) => Object.values(service.ports));
    // Every call reaches the supervisor: a forced stop must also cut short a graceful one under way.
    const stopped = this.supervisor.stop(options).then(() => untilClosed(ports));
    if (instances === undefined) {
      this.downing ??= stopped.then(() => {
        this.proxyLink?.close();
        this.proxyLink = undefined;
        return this.ports.release();
      });
      return this.downing;
    }
    return stopped.then(() => this.ports.release(ports));
  }
}

/** How long `down()` waits for the kernel to close the sockets of processes that are gone. */
const CLOSE_WAIT_MS = 2000;

/**
 * Waits until none of `ports` accepts connections any more, for a moment at most: a process the kernel reports
 * gone (a zombie) may still have its listening socket open for a few milliseconds, and whoever called `down()`
 * expects to be able to bind its ports at once.
 */
async function untilClosed(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + CLOSE_WAIT_MS;
  let open = [...ports];
  while (open.length && Date.now() < deadline) {
    const accepting = await Promise.all(open.map((port) => acceptsConnections(port)));
    open = open.filter((_port, index) => accepting[index]);
    if (open.length) await sleep(20);
  }
}

function info(runner: ServiceRunner): ServiceInfo {
  const { service } = runner;
  return {
    name: service.name,
    instance: service.instance,
    id: service.id,
    port: service.port,
    ports: { ...service.ports },
    url: service.url,
    pid: runner.pid,
    status: runner.status,
    startedAt: runner.startedAt === undefined ? undefined : new Date(runner.startedAt),
    exitCode: runner.exitStatus?.code,
    restarts: runner.restarts,
    publicUrl: runner.tunnel?.publicUrl,
    ...(service.namedUrl === undefined ? {} : { namedUrl: service.namedUrl }),
    ...(runner.service.tunnel && runner.tunnel?.state
      ? { tunnel: { state: runner.tunnel.state, ...(runner.tunnel.reason === undefined ? {} : { reason: runner.tunnel.reason }) } }
      : {}),
  };
}
