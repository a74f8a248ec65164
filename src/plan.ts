import type { CommandConfig, PortmateConfig, RawDependencyCondition, RestartConfig, ServiceConfig } from "./config/types.js";
import { didYouMean } from "./config/did-you-mean.js";
import { UsageError } from "./errors.js";
import { closure, startOrder } from "./graph.js";
import type { PortRequest } from "./ports/allocate.js";
import { referencedService, referencesIn, renderTemplate, type TemplateContext, type TemplateService } from "./template.js";

/** The address services are reached on; `${host}` in templates. */
export const LOOPBACK = "127.0.0.1";

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
  /** The primary port, when the service has one. */
  port?: number;
  url?: string;
  dependsOn: Array<{ id: string; condition: RawDependencyCondition }>;
  health: PlannedHealth & { intervalMs: number; timeoutMs: number };
  restart: RestartConfig;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

/** The whole stack to run: plain data, built without starting anything. */
export interface Plan {
  project: string;
  configFile: string;
  instances: number;
  /** Every service of every instance, each after what it depends on. */
  services: PlannedService[];
}

/** `backend`, `backend#2`: how a service of an instance is shown and addressed. */
export function serviceId(name: string, instance: number): string {
  return instance === 1 ? name : `${name}#${instance}`;
}

/** `BACKEND`, `MY_API` for `my-api`: the prefix of injected variables. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
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

function commandTexts(command: CommandConfig): string[] {
  return command.shell ? [command.script] : command.argv;
}

/** The key of a port request: the plan finds each allocated port by it. */
function portKey(instance: number, service: string, port: string): string {
  return `${instance}/${service}/${port}`;
}

/** Every port the selected services of every instance need; preferred ports only for instance 1. */
export function portRequests(services: readonly ServiceConfig[], instances: number): PortRequest[] {
  const requests: PortRequest[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    for (const service of services) {
      for (const port of service.ports) {
        const label = `${serviceId(service.name, instance)}${service.ports.length > 1 ? ` (${port.name})` : ""}`;
        const request: PortRequest = { key: portKey(instance, service.name, port.name), label };
        if (instance === 1 && port.preferred !== undefined) request.preferred = port.preferred;
        requests.push(request);
      }
    }
  }
  return requests;
}

/** Fills every template with the allocated ports and builds what the supervisor runs. */
export function buildPlan(config: PortmateConfig, services: readonly ServiceConfig[], instances: number, ports: ReadonlyMap<string, number>): Plan {
  const planned: PlannedService[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    const templateServices = new Map<string, TemplateService>();
    for (const service of services) {
      const own: Record<string, number> = {};
      for (const port of service.ports) {
        const number = ports.get(portKey(instance, service.name, port.name));
        if (number === undefined) throw new Error(`no port allocated for ${service.name}.${port.name}`);
        own[port.name] = number;
      }
      templateServices.set(service.name, { ports: own });
    }
    const injected = injectedEnv(config.project, instance, templateServices);
    for (const service of services) {
      const context: TemplateContext = {
        project: config.project,
        instance,
        host: LOOPBACK,
        self: service.name,
        services: templateServices,
        env: config.env,
      };
      planned.push(planService(config, service, instance, context, injected));
    }
  }
  return { project: config.project, configFile: config.file, instances, services: planned };
}

/** PORTMATE_*, and `<SVC>_PORT` / `<SVC>_URL` for every service of the instance that has a port. */
function injectedEnv(project: string, instance: number, services: ReadonlyMap<string, TemplateService>): Record<string, string> {
  const env: Record<string, string> = { PORTMATE_PROJECT: project, PORTMATE_INSTANCE: String(instance) };
  for (const [name, service] of services) {
    const primary = Object.values(service.ports)[0];
    if (primary === undefined) continue;
    env[`${envPrefix(name)}_PORT`] = String(primary);
    env[`${envPrefix(name)}_URL`] = `http://${LOOPBACK}:${primary}`;
  }
  return env;
}

function planService(
  config: PortmateConfig,
  service: ServiceConfig,
  instance: number,
  context: TemplateContext,
  injected: Record<string, string>,
): PlannedService {
  const render = (text: string) => renderTemplate(text, context);
  const ports = context.services.get(service.name)?.ports ?? {};
  const primary = Object.values(ports)[0];
  const explicit = Object.fromEntries(Object.entries(service.env).map(([key, value]) => [key, render(value)]));
  const env = { ...config.env, ...service.envFromFiles, ...injected, ...(primary === undefined ? {} : { PORT: String(primary) }), ...explicit };
  const planned: PlannedService = {
    id: serviceId(service.name, instance),
    name: service.name,
    instance,
    command: planCommand(service.command, render),
    cwd: service.cwd,
    env,
    ports,
    dependsOn: service.dependsOn.map((dep) => ({ id: serviceId(dep.service, instance), condition: dep.condition })),
    health: { ...planHealth(service, ports, render), intervalMs: service.health.intervalMs, timeoutMs: service.health.timeoutMs },
    restart: { ...service.restart },
    stopSignal: service.stopSignal,
    stopTimeoutMs: service.stopTimeoutMs,
  };
  if (primary !== undefined) {
    planned.port = primary;
    planned.url = `http://${LOOPBACK}:${primary}`;
  }
  return planned;
}

function planCommand(command: CommandConfig, render: (text: string) => string): PlannedCommand {
  if (command.shell) return { shell: true, script: render(command.script) };
  const [file = "", ...args] = command.argv.map(render);
  return { shell: false, file, args };
}

function planHealth(service: ServiceConfig, ports: Record<string, number>, render: (text: string) => string): PlannedHealth {
  const check = service.health.check;
  switch (check.kind) {
    case "http": {
      const health: PlannedHealth = {
        kind: "http",
        port: ports[check.port] ?? 0,
        path: render(check.path),
        hosts: check.host ? [check.host] : [LOOPBACK, "::1"],
      };
      if (check.status !== undefined) health.status = check.status;
      return health;
    }
    case "tcp":
      return { kind: "tcp", port: ports[check.port] ?? 0, hosts: [LOOPBACK, "::1"] };
    case "command":
      return { kind: "command", command: planCommand(check.command, render) };
    case "log":
      return { kind: "log", pattern: check.pattern };
    case "none":
      return { kind: "none" };
  }
}
