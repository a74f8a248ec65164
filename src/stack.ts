import type { Plan } from "./plan.js";
import type { Allocation } from "./ports/allocate.js";
import type { ServiceStatus, StackListener } from "./supervise/events.js";
import type { ServiceRunner } from "./supervise/service-runner.js";
import { Supervisor, type SupervisorOptions } from "./supervise/supervisor.js";

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

/**
 * A planned or running stack. `start()` runs it; `down()` stops everything and releases its ports.
 * Made by `up()` (already started) or `prepareStack()` (not started yet).
 */
export class Stack {
  readonly plan: Plan;
  /** Things worth telling that did not stop anything: unset variables, busy preferred ports. */
  readonly warnings: readonly string[];
  private readonly supervisor: Supervisor;
  private readonly allocation: Allocation;
  private downing: Promise<void> | undefined;

  constructor(plan: Plan, allocation: Allocation, warnings: string[], options: SupervisorOptions = {}) {
    this.plan = plan;
    this.allocation = allocation;
    this.warnings = warnings;
    this.supervisor = new Supervisor(plan, options);
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

  /** Every service of every instance, in start order. */
  list(): ServiceInfo[] {
    return this.supervisor.runners.map(info);
  }

  /** Listens to what happens; returns the function that stops listening. */
  on(listener: StackListener): () => void {
    return this.supervisor.on(listener);
  }

  /** Starts every service; resolves once all are healthy. On failure everything is stopped and ports released. */
  async start(): Promise<void> {
    try {
      await this.supervisor.start();
    } catch (error) {
      await this.down();
      throw error;
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
      const stopping = this.supervisor.stop(options);
      this.downing ??= stopping.then(() => this.allocation.release());
      return this.downing;
    }
    const instances = new Set(options.instances);
    const ports = this.plan.services.filter((service) => instances.has(service.instance)).flatMap((service) => Object.values(service.ports));
    return this.supervisor.stop(options).then(() => this.allocation.release(ports));
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
  };
}
