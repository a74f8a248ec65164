import { rmSync } from "node:fs";
import { fromWire, type FromSupervisor, type ToSupervisor } from "../daemon/protocol.js";
import { startSupervisor, type SupervisorProcess } from "../daemon/start-supervisor.js";
import { ExitCode, PortmateError } from "../errors.js";
import type { ConfigFiles, LoadedConfig } from "../config/load.js";
import { planToJson } from "../plan/json.js";
import { identify } from "../process/process-tree.js";
import type { ServiceInfo } from "../stack/stack.js";
import { stopStacks } from "../stack/stop.js";
import { planStack, type PlannedStack, type UpOptions } from "../stack/up.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import type { StackEvent } from "../supervise/events.js";
import { applyConfig } from "./apply-config.js";
import { beginUp } from "./begin-up.js";
import { listServices, type ServiceJson } from "./list-services.js";
import { isFolder } from "../util/is-folder.js";
import { activeProfiles } from "../config/profiles.js";
import { namedOrProfiled } from "../plan/select-services.js";

/** What `portmate up -d --json` prints: the project, how many instances run, and their services as `ps --json` lists them. */
export interface UpJson {
  project: string;
  instances: number;
  services: ServiceJson[];
  /** When it ran already: what applying the config did, one line per service acted on. */
  changes: string[];
}

/** What a caller may watch of a detached `up`: a CLI draws its progress from it. */
export interface UpWatch {
  /** The ports are allocated and the plan made; nothing started yet. */
  planned?(planned: PlannedStack): void;
  /** An event of the starting stack (spawned, healthy, …). */
  event?(event: StackEvent): void;
  /** Starting ended, well or not, before the result or the error is given; awaited. */
  finished?(outcome: "ready" | "failed" | "stopped"): Promise<void> | void;
  /** Every service is healthy: them as the supervisor sees them. */
  ready?(services: ServiceInfo[], supervisorPid: number): void;
  /** A line worth telling that is no warning (this checkout runs beside another; the config is being applied). */
  note?(line: string): void;
  warn?(message: string): void;
}

export interface UpDetachedOptions extends Pick<
  UpOptions,
  "services" | "instances" | "ports" | "strictPorts" | "freshPorts" | "tunnels" | "noTunnels" | "watch" | "envFiles" | "profiles"
> {
  /**
   * The config file (or several, merged in order), or a folder to find portmate.yaml in (or above it); default:
   * the working folder.
   */
  config?: ConfigFiles;
  /** Overrides the config's project name (`-p`). */
  projectName?: string;
  /** A supervisor started already (the CLI starts it while it loads); default: one started here. */
  supervisor?: SupervisorProcess;
  /** Aborted: stop what started, and fail. */
  signal?: AbortSignal;
  /** What to tell on the way. */
  on?: UpWatch;
}

/**
 * `portmate up -d`: starts the project's stack with a supervisor in a session of its own, which outlives the
 * caller, and returns once every service is healthy. A project that runs already gets its config applied
 * instead. On failure everything started is stopped before the error is thrown.
 */
export async function upDetached(options: UpDetachedOptions): Promise<UpJson> {
  const layout = stateLayout();
  const on = options.on ?? {};
  let supervisor = options.supervisor;
  let adopted = false;
  const given = typeof options.config === "string" ? [options.config] : options.config;
  const where = !given?.length ? {} : given.length === 1 && isFolder(given[0] as string) ? { cwd: given[0] } : { file: given };
  const drop = () => {
    if (!supervisor || adopted) return;
    supervisor.child.kill("SIGKILL");
    rmSync(supervisor.log, { force: true });
  };
  const begun = await beginUp(layout, { ...where, projectName: options.projectName, envFiles: options.envFiles, note: on.note, warn: on.warn }).catch(
    (error: unknown) => {
      drop();
      throw error;
    },
  );
  try {
    const services = options.services ?? [];
    const instances = options.instances ?? 1;
    if (begun.running) {
      const asked = namedOrProfiled(begun.loaded.config, services, activeProfiles(options.profiles));
      const applied = await applyConfig(begun.running, { services: asked, instances, envFiles: options.envFiles ?? [], loaded: begun.loaded }, on.note);
      if (applied.failed) throw new PortmateError(`could not apply the config to ${begun.project}`, ExitCode.serviceFailed, applied.changes);
      return await result(begun.project, applied.changes);
    }
    supervisor ??= startSupervisor(layout);
    adopted = true;
    const upOptions = { ...options, services, instances, loaded: begun.loaded, ...begun.checkout };
    await runDetached(supervisor, upOptions, layout, on, options.signal);
    return await result(begun.project, []);
  } finally {
    begun.release();
    drop();
  }
}

async function result(project: string, changes: string[]): Promise<UpJson> {
  const services = await listServices({ project });
  return { project, instances: new Set(services.map((service) => service.instance)).size, services, changes };
}

type Outcome = Extract<FromSupervisor, { type: "ready" | "failed" | "stopped" }> | { type: "crashed"; code: number | null; signal: NodeJS.Signals | null };

/**
 * Allocates the ports in the supervisor's name, hands it the plan, and tells the events it sends back until
 * every service is healthy (it then runs on alone) or starting failed (it has stopped everything then).
 */
async function runDetached(
  supervisor: SupervisorProcess,
  options: UpOptions & { loaded: LoadedConfig },
  layout: StateLayout,
  on: UpWatch,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { child, log: supervisorLog } = supervisor;
  const send = (message: ToSupervisor) => child.connected && child.send(message);
  // The supervisor may die at any moment, even while the ports are allocated.
  const crashed = supervisor.exited.then(({ code, signal }): Outcome => ({ type: "crashed", code, signal }));

  let planned: PlannedStack;
  try {
    planned = await planStack({ ...options, stateDir: layout.root, lockOwner: identify(child.pid ?? 0) });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  on.planned?.(planned);
  const onAbort = () => send({ type: "stop" });
  signal?.addEventListener("abort", onAbort);
  const outcome = await Promise.race([
    crashed,
    new Promise<Outcome>((resolve) => {
      child.on("message", (message: FromSupervisor) => {
        if (message.type === "event") on.event?.(message.event);
        else resolve(message);
      });
      send({ type: "start", plan: planToJson(planned.plan), stateDir: layout.root });
    }),
  ]);
  signal?.removeEventListener("abort", onAbort);
  await on.finished?.(outcome.type === "ready" ? "ready" : outcome.type === "failed" ? "failed" : "stopped");

  switch (outcome.type) {
    case "ready":
      on.ready?.(outcome.services, child.pid ?? 0);
      child.disconnect();
      child.unref();
      return;
    case "stopped":
      // Up means the stack is up: it is not.
      throw new PortmateError("stopped before the stack was ready", ExitCode.serviceFailed);
    case "failed":
      throw fromWire(outcome.error);
    case "crashed":
      // What it started before it died is stopped here, as `portmate down` would.
      await stopStacks(
        layout,
        recordedStacks(layout, { project: planned.config.project }).filter(({ record }) => record.supervisor.pid === child.pid),
        { warn: on.warn },
      );
      await planned.allocation.release();
      throw new PortmateError(
        `the supervisor ${outcome.signal ? `was killed by ${outcome.signal}` : `exited unexpectedly (code ${outcome.code ?? "?"})`} before the stack was up; what it had started is stopped`,
        ExitCode.serviceFailed,
        [`its log: ${supervisorLog}`],
      );
  }
}
