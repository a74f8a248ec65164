import type { PortmateConfig, RawDependencyCondition, RestartConfig, ServiceConfig } from "./config/types.js";
import { didYouMean } from "./config/did-you-mean.js";
import { UsageError } from "./errors.js";
import { closure, startOrder } from "./graph.js";
import type { PortRequest } from "./ports/allocate.js";
import { commandTexts, portKey, renderService, serviceId, type Wiring } from "./render.js";

export { envPrefix, LOOPBACK, serviceId } from "./render.js";
import { referencedService, referencesIn } from "./template.js";

/** A command ready to run: a program and its arguments, or a script for `/bin/sh -c`. */
export type PlannedCommand = { shell: false; file: string; args: string[] } | { shell: true; script: string };

export type PlannedHealth =
  | { kind: "http"; port: number; path: string; hosts: string[]; status?: number }
  | { kind: "tcp"; port: number; hosts: string[] }
  | { kind: "command"; command: PlannedCommand }
  | { kind: "log"; pattern: RegExp }
  | { kind: "none" };

/** One service of one instance, with everything filled in: what the supervisor runs. */
export interface PlannedService {
  /** `backend` for instance 1, `backend#2` for instance 2. */
  id: string;
  name: string;
  instance: number;
  command: PlannedCommand;
  cwd: string;
  /** The whole environment of the process: the config's base env, env files, injected and explicit variables. */
  env: Record<string, string>;
  /** Ports by name, primary first. */
  ports: Record<string, number>;
  /** The primary port, when the service has one (for a service that announces it, once it has). */
  port?: number;
  url?: string;
  /** The service chooses its port and announces it on stdout. */
  announce: boolean;
  dependsOn: Array<{ id: string; condition: RawDependencyCondition }>;
  /** Services that announce their port and that this one refers to: it starts once they have announced. */
  waitsForAnnounced: string[];
  health: PlannedHealth & { intervalMs: number; timeoutMs: number };
  restart: RestartConfig;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  /** Its public tunnel, when it has one switched on. */
  tunnel?: PlannedTunnel;
  /**
   * Discovery variables (`REDIS_URL`) portmate would have given it but did not, because the environment or an
   * env file sets them: what the user gave wins.
   */
  shadowed?: string[];
}

/**
 * A public tunnel to one port of a service: a program to run (ssh, ngrok, any command) and how to read the public
 * URL from its output.
 */
export interface PlannedTunnel {
  provider: "ssh" | "ngrok" | "command";
  /** The local port it forwards to. */
  port: number;
  command: PlannedCommand;
  /** Finds the public address in the program's output (first group that matched, else the whole match). */
  urlPattern?: RegExp;
  /** The public URL, with `${found}` standing for what urlPattern found; by default what it found. */
  url?: string;
  /** The public URL when it is known before the program runs (no urlPattern). */
  publicUrl?: string;
  /** Picks the line that explains a failure out of the program's output (first group, else the line). */
  explain?: RegExp;
  /** Path requested through the tunnel and locally to verify it; null: not verified. */
  verifyPath: string | null;
  required: boolean;
  timeoutMs: number;
  /** Why it cannot be opened here, known before anything runs (ngrok without a token): it fails with this. */
  unavailable?: string;
  /** What to do when the program cannot be started (not installed). */
  hint?: string;
}

/** The whole stack to run: plain data, built without starting anything. */
export interface Plan {
  project: string;
  configFile: string;
  instances: number;
  /** Every service of every instance, each after what it depends on. */
  services: PlannedService[];
  /** The names of the config's services in the config's order: what gives each its colour in output. */
  serviceNames: string[];
  /** What the services were rendered from, to render them again when a port changes. */
  wiring: Wiring;
}

/**
 * The services `portmate up [NAMES…]` starts, in start order: the named ones (default: all not disabled) and
 * everything they depend on or refer to in templates.
 */
export function selectServices(config: PortmateConfig, names: readonly string[] = []): ServiceConfig[] {
  const known = [...config.services.keys()];
  for (const name of names) {
    if (!config.services.has(name)) {
      const guess = didYouMean(name, known);
      throw new UsageError(`no service "${name}" in ${config.file}${guess ? ` (did you mean "${guess}"?)` : ""}`, `services: ${known.join(", ")}`);
    }
  }
  const graph = new Map([...config.services.values()].map((service) => [service.name, needs(service)]));
  const roots = names.length ? names : [...config.services.values()].filter((service) => !service.disabled).map((service) => service.name);
  const wanted = closure(graph, roots);
  const order = startOrder(new Map([...graph].filter(([name]) => wanted.has(name))));
  return order.map((name) => config.services.get(name) as ServiceConfig);
}

/** What a service needs running: its `depends_on`, and the services its templates point at. */
function needs(service: ServiceConfig): string[] {
  const texts = [...commandTexts(service.command), ...Object.values(service.env)];
  if (service.health.check.kind === "http") texts.push(service.health.check.path);
  if (service.health.check.kind === "command") texts.push(...commandTexts(service.health.check.command));
  const referenced = texts.flatMap((text) => referencesIn(text).map(referencedService));
  return [...new Set([...service.dependsOn.map((dep) => dep.service), ...referenced.filter((name): name is string => !!name)])];
}

/** What a service's ports are chosen by, besides the config: overrides, last run's ports, strictness. */
export interface PortPreferences {
  /** `--port SVC=PORT` and `<SVC>_PORT`, by `service/port` (port `default` for `port:`); for instance 1. */
  overrides?: ReadonlyMap<string, number>;
  /** The ports of the project's last run, by `portKey()`: tried when the preferred one is not free. */
  sticky?: Readonly<Record<string, number>>;
  /** `--strict-ports`: every preferred port must be free. */
  strict?: boolean;
}

/**
 * Every port the selected services of every instance need (a service that announces its port needs none).
 * Preferred ports (an override, else the config's) are for instance 1; the last run's ports, for each instance.
 */
export function portRequests(services: readonly ServiceConfig[], instances: number, preferences: PortPreferences = {}): PortRequest[] {
  const requests: PortRequest[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    for (const service of services) {
      if (service.announce) continue;
      for (const port of service.ports) {
        const label = `${serviceId(service.name, instance)}${service.ports.length > 1 ? ` (${port.name})` : ""}`;
        const key = portKey(instance, service.name, port.name);
        const request: PortRequest = { key, label };
        const preferred = instance === 1 ? (preferences.overrides?.get(`${service.name}/${port.name}`) ?? port.preferred) : undefined;
        if (preferred !== undefined) {
          request.preferred = preferred;
          if (preferences.strict || service.strict) request.strict = true;
        }
        const sticky = preferences.sticky?.[key];
        if (sticky !== undefined) request.sticky = sticky;
        requests.push(request);
      }
    }
  }
  return requests;
}

/** Fills every template with the allocated ports and builds what the supervisor runs. */
export function buildPlan(config: PortmateConfig, services: readonly ServiceConfig[], instances: number, ports: ReadonlyMap<string, number>): Plan {
  const wiring: Wiring = {
    project: config.project,
    range: { ...config.range },
    env: config.env,
    services: [...services],
    ports: Object.fromEntries(ports),
    urls: {},
  };
  const planned: PlannedService[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    for (const service of services) planned.push(renderService(wiring, service.name, instance));
  }
  return { project: config.project, configFile: config.file, instances, services: planned, serviceNames: [...config.services.keys()], wiring };
}
