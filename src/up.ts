import { loadConfig } from "./config/load.js";
import type { LoadConfigOptions, LoadedConfig } from "./config/load.js";
import type { PortmateConfig } from "./config/types.js";
import { formatIssue, UsageError } from "./errors.js";
import { buildPlan, portRequests, selectServices, type Plan } from "./plan.js";
import { allocatePorts, type Allocation, type AllocationNote } from "./ports/allocate.js";
import { Stack } from "./stack.js";
import { PortLocks } from "./state/port-locks.js";
import { stateLayout } from "./state/paths.js";
import type { StackListener } from "./supervise/events.js";
import { identify, type RootProcess } from "./supervise/process-tree.js";
import type { SupervisorOptions } from "./supervise/supervisor.js";

/** Options of `up()` and `prepareStack()`. */
export interface UpOptions extends LoadConfigOptions, SupervisorOptions {
  /** Services to start, with what they depend on (default: every service not `disabled`). */
  services?: string[];
  /** How many copies of the stack to run side by side, each on its own ports (default 1). */
  instances?: number;
  /** Told about everything that happens: spawned, healthy, output lines, exits, stops. */
  onEvent?: StackListener;
  /**
   * The state folder, where port reservations shared by every portmate run on the machine live
   * (default: `$PORTMATE_STATE_DIR`, `$XDG_STATE_HOME/portmate` or `~/.local/state/portmate`).
   */
  stateDir?: string;
}

/** What planning a stack gives: the plan, the ports it holds, and what is worth a warning. */
export interface PlannedStack {
  config: PortmateConfig;
  plan: Plan;
  allocation: Allocation;
  warnings: string[];
}

/** The most instances one `up` runs: beyond this is more likely a typo than a wish. */
export const MAX_INSTANCES = 100;

/** Loads the config, allocates every port in one scan and fills in every template; starts nothing. */
export async function prepareStack(options: UpOptions & { loaded?: LoadedConfig } = {}): Promise<Stack> {
  const { plan, allocation, warnings } = await planStack(options);
  const stack = new Stack(plan, allocation, warnings, options);
  if (options.onEvent) stack.on(options.onEvent);
  return stack;
}

/**
 * Loads the config, selects the services and allocates every port of every instance in one scan, reserved
 * for `lockOwner` (default: this process) against every other portmate run; fills in every template.
 */
export async function planStack(options: UpOptions & { lockOwner?: RootProcess; loaded?: LoadedConfig } = {}): Promise<PlannedStack> {
  const instances = options.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES) {
    throw new UsageError(`--instances must be a whole number from 1 to ${MAX_INSTANCES}, got ${String(instances)}`);
  }
  const { config, warnings } = options.loaded ?? loadConfig(options);
  const services = selectServices(config, options.services);
  const locks = new PortLocks(stateLayout(options.stateDir).ports, { ...(options.lockOwner ?? identify(process.pid)), project: config.project });
  const allocation = await allocatePorts(portRequests(services, instances), { range: config.range, reservations: [locks] });
  try {
    const plan = buildPlan(config, services, instances, allocation.ports);
    return { config, plan, allocation, warnings: [...warnings.map(formatIssue), ...allocation.notes.map(describeNote)] };
  } catch (error) {
    await allocation.release();
    throw error;
  }
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
