import { rmSync } from "node:fs";
import { join } from "node:path";
import { ControlServer } from "../control/server.js";
import type { ControlRequest, RestartRequest, StopRequest } from "../control/protocol.js";
import { parseServiceId } from "../plan/names.js";
import { ownEnv } from "../plan/render.js";
import type { RestartReport } from "../supervise/rewiring.js";
import type { PlannedService } from "../plan/types.js";
import type { Stack } from "./stack.js";
import type { StackEvent } from "../supervise/events.js";
import { identify } from "../process/process-tree.js";
import { eventsPath, LogWriter, logPath, writeServiceOrder } from "../state/logs.js";
import { ensurePrivateDir, type StateLayout } from "../state/paths.js";
import { removeRecord, writeRecord, type ServiceRecord, type StackRecord } from "../state/registry.js";

export interface HostOptions {
  layout: StateLayout;
  mode: StackRecord["mode"];
  /** Called when a stop request leaves no instance running: the process hosting the stack can end. */
  onAllStopped?: () => void;
}

/** How often a record that could not be written (full disk) is tried again. */
const RECORD_RETRY_MS = 1000;

/** Events after which a service's record changes. */
const STATUS_EVENTS = new Set<StackEvent["type"]>([
  "spawned",
  "checking",
  "healthy",
  "unhealthy",
  "exited",
  "failed",
  "skipped",
  "stopping",
  "stopped",
  "port",
  "tunnel",
]);

/**
 * Makes a running stack visible to the rest of the machine (spec §5): one record per instance in the state
 * folder, kept up to date on every status change; every service's output in its log file; and a control socket
 * through which `portmate down` stops it and `portmate restart` restarts its services. Used alike by a foreground `portmate up` and a detached supervisor.
 */
export class StackHost {
  private readonly logs = new Map<string, LogWriter>();
  private readonly running = new Set<number>();
  /** Kernel start time of each service's current process, by service id. */
  private readonly startTimes = new Map<string, number>();
  /** What each service's health check answered last, by service id (see ServiceRecord.check). */
  private readonly checks = new Map<string, NonNullable<ServiceRecord["check"]>>();
  private readonly startedAt = new Date().toISOString();
  private readonly self = identify(process.pid);
  private control: ControlServer | undefined;
  private dirty = new Set<number>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** Where portmate's own events go once the stack is up (see eventsPath). */
  private events: LogWriter | undefined;
  /** How many instances the stack was planned with, or has grown to: those above get records as they come. */
  private planned: number;

  private constructor(
    private readonly stack: Stack,
    private readonly options: HostOptions,
  ) {
    for (let instance = 1; instance <= stack.plan.instances; instance++) this.running.add(instance);
    this.planned = stack.plan.instances;
    // Logs are of the current run: last run's (kept after `down` for a look) go when the project starts again.
    rmSync(join(options.layout.logs, stack.project), { recursive: true, force: true });
    for (const service of stack.plan.services) this.logOf(service.id);
    writeServiceOrder(options.layout, stack.project, stack.plan.serviceNames);
  }

  /** Registers the stack before it starts, so `ps` shows it starting and `down` can stop it at any time. */
  static async open(stack: Stack, options: HostOptions): Promise<StackHost> {
    const host = new StackHost(stack, options);
    ensurePrivateDir(options.layout.run);
    host.control = await ControlServer.listen(join(options.layout.run, `${process.pid}.sock`), (request) => host.handle(request));
    stack.on((event) => host.onEvent(event));
    for (const instance of host.running) host.writeRecord(instance);
    return host;
  }

  private handle(request: ControlRequest): Promise<unknown> {
    switch (request.op) {
      case "restart":
        return this.restart(request);
      case "stop-services":
        return this.stack.stopServices(request.services, {
          withDependents: request.withDependents,
          ...(request.timeoutMs === null ? {} : { timeoutMs: request.timeoutMs }),
        });
      case "start-services":
        return this.stack.startServices(request.services.length ? request.services : this.stack.serviceIds(request.instance ?? 1));
      case "reconfigure":
        return this.stack.reload(request.services ?? [], request.instances);
      case "stop":
        return this.stop(request);
    }
  }

  /** Restarts services (by id) as `portmate restart` asks. */
  async restart(request: Pick<RestartRequest, "services" | "instance" | "newPort">): Promise<RestartReport[]> {
    const ids = request.services.length ? request.services : this.stack.serviceIds(request.instance ?? 1);
    return this.stack.restart(ids, { newPort: request.newPort });
  }

  /** Stops what a request asks for, then forgets those instances; tells when nothing is left running. */
  async stop(request: Pick<StopRequest, "instances" | "timeoutMs" | "force">): Promise<void> {
    const instances = request.instances?.filter((instance) => this.running.has(instance)) ?? [...this.running];
    // While the stack is starting, a stop takes all of it down (see Supervisor.stop): a partial one is refused.
    if (!this.stack.isRunning && instances.length < this.running.size) {
      throw new Error(`${this.stack.project} is still starting: stop all of it with \`portmate down\`, or wait until it is up`);
    }
    const options = { force: request.force, ...(request.timeoutMs === null ? {} : { timeoutMs: request.timeoutMs }) };
    if (instances.length === this.running.size) await this.stack.down(options);
    else await this.stack.down({ ...options, instances });
    for (const instance of instances) this.forget(instance);
    // After this request is answered, not before: the process may end once told.
    if (this.running.size === 0) setImmediate(() => this.options.onAllStopped?.());
  }

  /** Removes every record left and closes the logs and the control socket (once its answers are out). Idempotent. */
  async close(): Promise<void> {
    clearTimeout(this.retry);
    this.closed = true;
    for (const instance of [...this.running]) this.forget(instance);
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
    this.events?.close();
    const control = this.control;
    this.control = undefined;
    await control?.close();
  }

  private forget(instance: number): void {
    if (!this.running.delete(instance)) return;
    removeRecord(this.options.layout, this.stack.project, instance);
  }

  /** The log of a service by id, opened on first use (a service a changed config added has none yet). */
  private logOf(id: string): LogWriter | undefined {
    let log = this.logs.get(id);
    if (!log && !this.closed) {
      const { name, instance } = parseServiceId(id);
      log = new LogWriter(logPath(this.options.layout, this.stack.project, instance, name));
      this.logs.set(id, log);
    }
    return log;
  }

  private onEvent(event: StackEvent): void {
    if (event.type === "output") {
      this.logOf(event.service)?.write(event.line);
      return;
    }
    // What portmate does once the stack is up is news for `portmate logs`, as it is for a foreground `up`:
    // for a detached stack, the only place to read it.
    if (event.type !== "checking" && this.stack.isRunning && !this.closed) {
      this.events ??= new LogWriter(eventsPath(this.options.layout, this.stack.project));
      this.events.write(JSON.stringify(event));
    }
    // A config applied: services may have come or gone, so every instance's record is written again.
    if (event.type === "config" && event.state === "applied") {
      writeServiceOrder(this.options.layout, this.stack.project, this.stack.plan.serviceNames);

      for (const instance of this.running) this.dirty.add(instance);
      queueMicrotask(() => this.flush());
      return;
    }
    // The start time of a service's process, read as it starts, so a pid reused later is never taken for it.
    if (event.type === "spawned") this.startTimes.set(event.service, identify(event.pid).startTime);
    const check = lastCheck(event);
    if (check) this.checks.set(event.service, check);
    if (!STATUS_EVENTS.has(event.type)) return;
    const { instance } = parseServiceId(event.service);
    // An instance added to the running stack (`up -n` above what ran) is recorded from its first event on.
    if (instance > this.planned && instance <= this.stack.plan.instances) {
      this.running.add(instance);
      this.planned = instance;
    }
    if (!this.running.has(instance)) return;
    // Several services change at once (a stop, a failure): write each record once, after they all have.
    if (this.dirty.size === 0) queueMicrotask(() => this.flush());
    this.dirty.add(instance);
  }

  private flush(): void {
    const instances = [...this.dirty];
    this.dirty = new Set();
    const failed = instances.filter((instance) => this.running.has(instance) && !this.tryWriteRecord(instance));
    // The disk is full or the folder went read-only: the stack runs on, its last record stays (records are
    // replaced whole, never half-written), and the new one is written once it can be.
    if (failed.length > 0 && !this.retry) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        for (const instance of failed) this.dirty.add(instance);
        this.flush();
      }, RECORD_RETRY_MS);
      this.retry.unref();
    }
  }

  private tryWriteRecord(instance: number): boolean {
    try {
      this.writeRecord(instance);
      return true;
    } catch {
      return false;
    }
  }

  private writeRecord(instance: number): void {
    const plan = this.stack.plan;
    const current = new Map(plan.services.map((service) => [service.id, service]));
    const services: ServiceRecord[] = Object.values(this.stack.instances[instance - 1]?.services ?? {}).map((service) => ({
      name: service.name,
      id: service.id,
      pid: service.pid ?? null,
      startTime: this.startTimes.get(service.id) ?? 0,
      ports: service.ports,
      port: service.port ?? null,
      url: service.url ?? null,
      publicUrl: service.publicUrl ?? null,
      status: service.status,
      exitCode: service.exitCode ?? null,
      restarts: service.restarts,
      log: this.logOf(service.id)?.path ?? "",
      startedAt: service.startedAt?.toISOString() ?? null,
      stopSignal: current.get(service.id)?.stopSignal ?? "SIGTERM",
      stopTimeoutMs: current.get(service.id)?.stopTimeoutMs ?? 10_000,
      env: ownEnv(current.get(service.id) as PlannedService, plan.wiring.env),
      cwd: (current.get(service.id) as PlannedService).cwd,
      dependsOn: current.get(service.id)?.dependsOn.map((dependency) => dependency.id) ?? [],
      ...(this.checks.has(service.id) ? { check: this.checks.get(service.id) } : {}),
      ...named(current.get(service.id)),
    }));
    const self = this.self;
    writeRecord(this.options.layout, {
      version: 1,
      project: this.stack.project,
      instance,
      configFile: plan.configFile,
      ...(plan.reload?.files ? { configFiles: plan.reload.files } : {}),
      mode: this.options.mode,
      supervisor: { pid: self.pid, startTime: self.startTime, control: this.control?.path ?? "" },
      startedAt: this.startedAt,
      services,
    });
  }
}

/** What a health check answered, as an event tells it: failing while it gets ready or goes unhealthy, passing once healthy. */
function lastCheck(event: StackEvent): ServiceRecord["check"] {
  const at = new Date().toISOString();
  if (event.type === "checking") return { ok: false, answer: event.check, at };
  if (event.type === "unhealthy") return { ok: false, answer: event.reason, at };
  if (event.type === "healthy") return { ok: true, answer: event.check ?? "healthy", at };
  return undefined;
}

/** The proxy's name of a service, for the records the proxy routes by. */
function named(service: PlannedService | undefined): Pick<ServiceRecord, "hostname" | "namedUrl"> {
  return service?.hostname && service.namedUrl ? { hostname: service.hostname, namedUrl: service.namedUrl } : {};
}
