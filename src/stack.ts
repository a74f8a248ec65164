import { loadConfig, type LoadConfigOptions } from "./config/load.js";
import { formatIssue, UsageError } from "./errors.js";
import { buildPlan, portRequests, selectServices, type Plan, type PlannedService } from "./plan.js";
import { allocatePorts, type Allocation, type AllocationNote } from "./ports/allocate.js";
import type { ServiceStatus, StackListener } from "./supervise/events.js";
import { Supervisor, type SupervisorOptions } from "./supervise/supervisor.js";

/** Options of `up()` and `prepareStack()`. */
export interface UpOptions extends LoadConfigOptions, SupervisorOptions {
  /** Services to start, with what they depend on (default: every service not `disabled`). */
  services?: string[];
  /** How many copies of the stack to run side by side, each on its own ports (default 1). */
  instances?: number;
  /** Told about everything that happens: spawned, healthy, output lines, exits, stops. */
  onEvent?: StackListener;
}

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

/** The most instances one `up` runs: beyond this is more likely a typo than a wish. */
export const MAX_INSTANCES = 100;

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
      if (target) target.services[runner.service.name] = info(runner.service, runner.pid, runner.status);
    }
    return list;
  }

  /** Every service of every instance, in start order. */
  list(): ServiceInfo[] {
    return this.supervisor.runners.map((runner) => info(runner.service, runner.pid, runner.status));
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

function info(service: PlannedService, pid: number | undefined, status: ServiceStatus): ServiceInfo {
  return { name: service.name, instance: service.instance, id: service.id, port: service.port, ports: { ...service.ports }, url: service.url, pid, status };
}

/** Loads the config, allocates every port in one scan and fills in every template; starts nothing. */
export async function prepareStack(options: UpOptions = {}): Promise<Stack> {
  const instances = options.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES) {
    throw new UsageError(`--instances must be a whole number from 1 to ${MAX_INSTANCES}, got ${String(instances)}`);
  }
  const { config, warnings } = loadConfig(options);
  const services = selectServices(config, options.services);
  const allocation = await allocatePorts(portRequests(services, instances), { range: config.range });
  let plan: Plan;
  try {
    plan = buildPlan(config, services, instances, allocation.ports);
  } catch (error) {
    await allocation.release();
    throw error;
  }
  const stack = new Stack(plan, allocation, [...warnings.map(formatIssue), ...allocation.notes.map(describeNote)], options);
  if (options.onEvent) stack.on(options.onEvent);
  return stack;
}

/**
 * Starts a stack and resolves once every service is healthy, with its ports and URLs:
 * `const stack = await up({ file }); stack.services.backend.url; await stack.down();`
 */
export async function up(options: UpOptions = {}): Promise<Stack> {
  const stack = await prepareStack(options);
  await stack.start();
  return stack;
}

function describeNote(note: AllocationNote): string {
  if (note.reason === "os-assigned") return `${note.label}: every port of the range is taken; the OS assigned ${note.port}`;
  return `${note.label}: preferred port ${note.wanted} is busy; using ${note.port}`;
}
