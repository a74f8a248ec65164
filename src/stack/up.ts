import { existsSync } from "node:fs";
import { loadConfig } from "../config/load.js";
import { activeProfiles, unknownProfiles } from "../config/profiles.js";
import { checkPrograms } from "../config/programs.js";
import type { LoadConfigOptions, LoadedConfig } from "../config/load.js";
import { unknownNameError } from "../util/did-you-mean.js";
import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { formatIssue, UsageError } from "../errors.js";
import { buildPlan } from "../plan/build.js";
import { portVariable, urlVariable } from "../plan/discovery-env.js";
import { portRequests, type PortPreferences } from "../plan/port-requests.js";
import { MAX_INSTANCES } from "../plan/limits.js";
import { namedService, selectedServices } from "../plan/select-services.js";
import { reloadConfig } from "./reload.js";
import { type Plan } from "../plan/types.js";
import { describePortHolder } from "./port-ownership.js";
import { PortBook } from "../ports/port-book.js";
import { readStickyPorts, stickyPortsWriter } from "../state/sticky-ports.js";
import { allocatePorts, type Allocation, type AllocationNote } from "../ports/allocate.js";
import { Stack } from "./stack.js";
import { PortLocks } from "../state/port-locks.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { isNamed } from "../config/named-service.js";
import type { NameSettings } from "../plan/hostnames.js";
import { ensureProxy } from "../proxy/ensure-proxy.js";
import type { StackListener } from "../supervise/events.js";
import { identify, type RootProcess } from "../process/process-tree.js";
import type { SupervisorOptions } from "../supervise/supervisor.js";

/** Options of `up()` and `prepareStack()`. */
export interface UpOptions extends LoadConfigOptions, SupervisorOptions {
  /** Services to start, with what they depend on (default: every service not `disabled`, see `profiles`). */
  services?: string[];
  /**
   * Active profiles (`--profile`): a service with profiles starts only when one of them is active, or when it is
   * named or needed. Default: those of `PORTMATE_PROFILES` (comma-separated).
   */
  profiles?: readonly string[];
  /** How many copies of the stack to run side by side, each on its own ports (default 1). */
  instances?: number;
  /** Told about everything that happens: spawned, healthy, output lines, exits, stops. */
  onEvent?: StackListener;
  /**
   * The state folder, where port reservations shared by every portmate run on the machine live
   * (default: `$PORTMATE_STATE_DIR`, `$XDG_STATE_HOME/portmate` or `~/.local/state/portmate`).
   */
  stateDir?: string;
  /**
   * Preferred ports that win over the config's, for instance 1: `{ backend: 8080, "admin.metrics": 9100 }`
   * (`--port`). The variable `<SERVICE>_PORT` of the environment does the same for a primary port.
   */
  ports?: Readonly<Record<string, number>>;
  /** A preferred port that is taken fails the start (exit 3) instead of being replaced (`--strict-ports`). */
  strictPorts?: boolean;
  /** Ignore the ports the project had last time (`--fresh-ports`). */
  freshPorts?: boolean;
  /** Services whose tunnel opens, also when the config says `enabled: false` (`--tunnel`). */
  tunnels?: readonly string[];
  /** Open no tunnel but those of `tunnels` (`--no-tunnel`). */
  noTunnels?: boolean;
  /** Restart services when their `watch:` files change (default true; false: `--no-watch`). */
  watch?: boolean;
  /** This checkout runs beside another checkout of the project (see checkout.ts): its names say so. */
  checkout?: { base: string; label: string };
}

/** What planning a stack gives: the plan, the ports it holds, and what is worth a warning or an info line. */
export interface PlannedStack {
  config: PortmateConfig;
  plan: Plan;
  allocation: Allocation;
  /** The ports, and how to take more once the stack runs. */
  ports: PortBook;
  warnings: string[];
  /** Worth a line, not a warning: a last run's port that is taken now. */
  info: string[];
}

/** Loads the config, allocates every port in one scan and fills in every template; starts nothing. */
export async function prepareStack(options: UpOptions & { loaded?: LoadedConfig } = {}): Promise<Stack> {
  const { plan, ports, warnings, info } = await planStack(options);
  const layout = stateLayout(options.stateDir);
  const stack = new Stack(plan, ports, warnings, { ...options, notices: info, rememberPorts: stickyPortsWriter(layout, plan.project), reload: reloadConfig });
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
  const loaded = options.loaded ?? loadConfig(options);
  const { config, warnings } = loaded;
  const profiles = activeProfiles(options.profiles);
  const services = selectedServices(config, { ...options, profiles });
  checkPrograms(
    loaded.missingPrograms,
    services.map((service) => service.name),
  );
  const layout = stateLayout(options.stateDir);
  const locks = new PortLocks(layout.ports, { ...(options.lockOwner ?? identify(process.pid)), project: config.project });
  const preferences: PortPreferences = { overrides: portOverrides(config, services, options.ports), strict: options.strictPorts === true };
  if (!options.freshPorts) preferences.sticky = readStickyPorts(layout, config.project);
  const allocationOptions = { range: config.range, reservations: [locks], explainBusy: (port: number) => describePortHolder(port, layout) };
  // The proxy starts (when it is not running) while the ports are chosen: its port is part of the names.
  const [allocation, names] = await Promise.all([
    allocatePorts(portRequests(services, instances, preferences), allocationOptions),
    nameSettings(config, services, layout, options.checkout).catch((error: unknown) => error as Error),
  ]);
  try {
    if (names instanceof Error) throw names;
    const caNews = names?.https ? await ensureLocalCa(layout) : [];
    const plan = buildPlan(config, services, instances, allocation.ports, names);
    plan.reload = {
      file: config.file,
      ...(config.foundByName ? {} : { files: [...config.files] }),
      envFiles: [...config.envFiles],
      ...(options.projectName === undefined ? {} : { projectName: options.projectName }),
      ...(options.envFiles?.length ? { dotenvFiles: [...config.dotenvFiles] } : {}),
      services: [...(options.services ?? [])],
      profiles,
      tunnels: [...(options.tunnels ?? [])],
      noTunnels: options.noTunnels === true,
      watch: options.watch !== false,
    };
    const notes = allocation.notes.map((note) => ({ text: describeNote(note), info: note.reason === "sticky-busy" || note.reason === "sticky-kept" }));
    return {
      config,
      plan,
      allocation,
      ports: new PortBook(allocation, allocationOptions),
      warnings: [...warnings.map(formatIssue), ...unknownProfiles(config, profiles), ...notes.filter((note) => !note.info).map((note) => note.text)],
      info: [...notes.filter((note) => note.info).map((note) => note.text), ...shadowedLines(plan), ...caNews],
    };
  } catch (error) {
    await allocation.release();
    throw error;
  }
}

/**
 * How the stack's services are named through the local proxy, which is started for it when none runs; undefined
 * when the config has no `proxy:` or none of the services speaks HTTP.
 */
async function nameSettings(
  config: PortmateConfig,
  services: readonly ServiceConfig[],
  layout: StateLayout,
  checkout: UpOptions["checkout"],
): Promise<NameSettings | undefined> {
  if (!config.proxy || !services.some(isNamed)) return undefined;
  const { port } = await ensureProxy(layout);
  return { port, https: config.proxy.https, project: checkout?.base ?? config.project, ...(checkout ? { checkout: checkout.label } : {}) };
}

/**
 * The local CA that signs the certificates of `https://` names, created on the first stack that has them (so that
 * `portmate trust` can be run at once); a line saying so when it was just created.
 */
async function ensureLocalCa(layout: StateLayout): Promise<string[]> {
  const { caDir, loadLocalCa } = await import("../proxy/tls/local-ca.js");
  const created = !existsSync(caDir(layout));
  loadLocalCa(layout);
  return created ? ["https names: a local certificate authority signs their certificates; `portmate trust` makes your browsers accept it (once)"] : [];
}

/**
 * Preferred ports given outside the config, by `service/port`: `--port` entries (`backend`, `admin.metrics`),
 * over `<SERVICE>_PORT` variables of the environment (primary ports only). Checked against the config.
 */
export function portOverrides(config: PortmateConfig, selected: readonly ServiceConfig[], given: Readonly<Record<string, number>> = {}): Map<string, number> {
  const overrides = new Map<string, number>();
  for (const service of selected) {
    const variable = portVariable(service.name);
    const value = config.env[variable];
    const primary = service.ports[0];
    if (value === undefined || value === "" || service.announce || primary === undefined) continue;
    if (!isPortNumber(Number(value)) || !/^\d+$/.test(value.trim())) {
      throw new UsageError(
        `${variable} must be a port number (1-65535), got ${JSON.stringify(value)}`,
        `unset it, or set it to the port ${service.name} should prefer`,
      );
    }
    overrides.set(`${service.name}/${primary.name}`, Number(value));
  }
  for (const [target, port] of Object.entries(given)) {
    const [name = "", portName] = target.split(".", 2);
    const service = namedService(config, name, `--port ${target}=${port}`);
    if (service.announce) throw new UsageError(`--port ${target}=${port}: ${name} announces its own port, so portmate does not choose it`);
    const port_ = portName === undefined ? service.ports[0] : service.ports.find((candidate) => candidate.name === portName);
    if (!port_) {
      const names = service.ports.map((candidate) => candidate.name);
      throw new UsageError(
        `--port ${target}=${port}: ${name} has ${portName === undefined ? "no port (`port: none`)" : `no port named "${portName}"`}`,
        names.length ? `its ports: ${names.join(", ")}` : undefined,
      );
    }
    if (!isPortNumber(port)) throw new UsageError(`--port ${target}=${port}: a port is a whole number from 1 to 65535`);
    overrides.set(`${name}/${port_.name}`, port);
  }
  return overrides;
}

function isPortNumber(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
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

/**
 * One line per discovery variable that the environment or an env file sets, so the services get that value and
 * not portmate's: `api, worker get REDIS_URL from the environment or an env file, not from portmate
 * (\`${services.redis.url}\` is portmate's)`.
 */
export function shadowedLines(plan: Plan): string[] {
  const byVariable = new Map<string, string[]>();
  for (const service of plan.services) {
    for (const variable of service.shadowed ?? []) byVariable.set(variable, [...(byVariable.get(variable) ?? []), service.id]);
  }
  return [...byVariable].map(([variable, ids]) => {
    const owner = plan.wiring.services.find((service) => urlVariable(service.name) === variable || portVariable(service.name) === variable);
    const template = owner ? ` (\`\${services.${owner.name}.${variable.endsWith("_URL") ? "url" : "port"}}\` is portmate's)` : "";
    return `${ids.join(", ")} get${ids.length === 1 ? "s" : ""} ${variable} from the environment or an env file, not from portmate${template}`;
  });
}

/** An allocation note as the line `up` (and `config`) print. */
export function describeNote(note: AllocationNote): string {
  if (note.reason === "os-assigned") return `${note.label}: every port of the range is taken; the OS assigned ${note.port}`;
  if (note.reason === "sticky-busy") return `${note.label}: its last port ${note.wanted} is taken now; using ${note.port}`;
  if (note.reason === "sticky-kept") return `${note.label}: port ${note.port} as last time; --fresh-ports starts from ${note.from}`;
  const alsoLast = note.stickyBusy === undefined ? "" : ` (and its last port ${note.stickyBusy})`;
  return `${note.label}: preferred port ${note.wanted}${alsoLast} is taken${note.holder ? ` by ${note.holder}` : ""}; using ${note.port}`;
}
