import { renderTemplate, TemplateError, type TemplateContext, type TemplateService } from "../config/template.js";
import type { CommandConfig, ServiceConfig } from "../config/types.js";
import { discoveredServices, discoveryVariables, portmateVariables, portVariable } from "./discovery-env.js";
import { isNamed } from "../config/named-service.js";
import { namedOrigin, serviceHostname } from "./hostnames.js";
import { LOOPBACK, portKey, serviceId } from "./names.js";
import { referencedServices } from "./references.js";
import { planTunnel } from "./tunnel.js";
import type { PlannedCommand, PlannedHealth, PlannedService, Wiring } from "./types.js";

/** Renders one service of one instance from the wiring as it is now. */
export function renderService(wiring: Wiring, name: string, instance: number): PlannedService {
  const service = wiring.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`no service ${name} in the plan`);
  const templateServices = templateServicesOf(wiring, instance);
  const context: TemplateContext = {
    project: wiring.project,
    instance,
    host: LOOPBACK,
    self: name,
    services: templateServices,
    env: wiring.variables ?? wiring.env,
  };
  return planService(wiring, service, instance, context, discoveryEnv(service, context));
}

/** The variables portmate adds for a service: what its env has that the base environment has not (or not so). */
export function ownEnv(service: PlannedService, base: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(service.env).filter(([key, value]) => base[key] !== value));
}

function templateServicesOf(wiring: Wiring, instance: number): Map<string, TemplateService> {
  const services = new Map<string, TemplateService>();
  for (const service of wiring.services) {
    const ports: Record<string, number> = {};
    for (const port of service.ports) {
      const number = wiring.ports[portKey(instance, service.name, port.name)];
      if (number !== undefined) ports[port.name] = number;
      else if (!service.announce) throw new Error(`no port allocated for ${service.name}.${port.name}`);
    }
    const entry: TemplateService = { ports };
    const url = wiring.urls[`${instance}/${service.name}`];
    if (url !== undefined) entry.url = url;
    if (service.url !== undefined) entry.urlTemplate = service.url;
    else if (!hasGuessableUrl(service)) entry.noUrl = true;
    if (service.announce && Object.keys(ports).length === 0) entry.pending = true;
    const named = namedService(wiring, service, instance);
    if (named) entry.namedUrl = named.namedUrl;
    services.set(service.name, entry);
  }
  return services;
}

/** `<SVC>_PORT` / `<SVC>_URL` of the services it needs to find (see discoveredServices), whose port is known. */
function discoveryEnv(service: ServiceConfig, context: TemplateContext): Record<string, string> {
  const { services } = context;
  let env: Record<string, string> = {};
  for (const name of discoveredServices(service)) {
    const found = services.get(name);
    const primary = found && Object.values(found.ports)[0];
    if (found === undefined || primary === undefined) continue;
    env = { ...env, ...discoveryVariables(name, String(primary), urlOf(name, services, context)) };
  }
  return env;
}

/**
 * The environment of a service, from the weakest to the strongest: portmate's discovery variables, the base
 * environment (inherited, with the top-level env files), the service's env files, portmate's own variables
 * (PORTMATE_PROJECT, PORTMATE_INSTANCE, PORT), then its `env:`. So what the user gave wins over a discovery
 * variable (`REDIS_URL` of a `.env` stays), with one exception: a `<SVC>_PORT` of the base environment names a
 * service's preferred port, which it may not have got, so the port it did get is given instead.
 */
function serviceEnv(wiring: Wiring, service: ServiceConfig, discovery: Record<string, string>, own: Record<string, string>, explicit: Record<string, string>) {
  const given = { ...wiring.env, ...service.envFromFiles };
  const preferences = new Set(wiring.services.map((other) => portVariable(other.name)));
  const kept: Record<string, string> = {};
  const shadowed: string[] = [];
  for (const [key, value] of Object.entries(discovery)) {
    const preference = preferences.has(key) && !(key in service.envFromFiles);
    if (!(key in given) || preference) kept[key] = value;
    else if (given[key] !== value && !(key in explicit)) shadowed.push(key);
  }
  return { env: { ...given, ...kept, ...own, ...explicit }, shadowed };
}

function planService(wiring: Wiring, service: ServiceConfig, instance: number, context: TemplateContext, discovery: Record<string, string>): PlannedService {
  const render = (text: string) => renderTemplate(text, context);
  const self = context.services.get(service.name);
  const ports = { ...self?.ports };
  const primary = Object.values(ports)[0];
  const explicit = Object.fromEntries(Object.entries(service.env).map(([key, value]) => [key, render(value)]));
  const own = portmateVariables(wiring.project, instance, primary === undefined ? undefined : String(primary));
  const { env, shadowed } = serviceEnv(wiring, service, discovery, own, explicit);
  const planned: PlannedService = {
    id: serviceId(service.name, instance),
    name: service.name,
    instance,
    command: planCommand(service.command, render),
    cwd: service.cwd,
    env,
    ports,
    announce: service.announce,
    dependsOn: service.dependsOn.map((dep) => ({ id: serviceId(dep.service, instance), condition: dep.condition, ...(dep.restart ? { restart: true } : {}) })),
    waitsForAnnounced: announcedReferences(wiring, service).map((name) => serviceId(name, instance)),
    health: {
      ...planHealth(service, ports, render),
      intervalMs: service.health.intervalMs,
      timeoutMs: service.health.timeoutMs,
      ...(service.health.liveness ? { liveness: { ...service.health.liveness } } : {}),
    },
    restart: { ...service.restart },
    stopSignal: service.stopSignal,
    stopTimeoutMs: service.stopTimeoutMs,
  };
  if (primary !== undefined) planned.port = primary;
  const url = urlOf(service.name, context.services, context);
  if (url !== undefined) planned.url = url;
  if (shadowed.length) planned.shadowed = shadowed;
  const named = namedService(wiring, service, instance);
  if (named) Object.assign(planned, named);
  if (service.watch) {
    const { root, paths, ignore, debounceMs, rebuild, signal } = service.watch;
    planned.watch = { root, paths, ignore, debounceMs, ...(rebuild ? { rebuild: planCommand(rebuild, render) } : {}), ...(signal ? { signal } : {}) };
  }
  if (service.tunnel?.enabled) {
    const planCommandOf = (command: CommandConfig) => planCommand(command, render);
    planned.tunnel = planTunnel(service.tunnel, { ports, render, env, health: planned.health, planCommand: planCommandOf });
  }
  return planned;
}

/** A service's stable name and its URL through the proxy, when the project has names and it speaks HTTP. */
function namedService(wiring: Wiring, service: ServiceConfig, instance: number): { hostname: string; namedUrl: string } | undefined {
  if (!wiring.names || !isNamed(service)) return undefined;
  const hostname = serviceHostname(wiring.names.project, service.name, instance, wiring.names.checkout);
  return { hostname, namedUrl: namedOrigin(hostname, wiring.names) };
}

/**
 * Whether a service without `url:` gets `http://${host}:${port}`: when it is checked over HTTP, or announces its
 * port (its announcement may give a URL). Any other has no URL: `http://` is not guessed for Redis or Postgres.
 */
function hasGuessableUrl(service: ServiceConfig): boolean {
  return service.health.check.kind === "http" || service.announce;
}

/** A service's URL as `${services.NAME.url}` gives it, or undefined when it has none (or no port yet). */
function urlOf(name: string, services: ReadonlyMap<string, TemplateService>, context: TemplateContext): string | undefined {
  const found = services.get(name);
  if (!found || found.noUrl || found.pending) return undefined;
  if (found.urlTemplate === undefined && Object.keys(found.ports).length === 0 && found.url === undefined) return undefined;
  try {
    return renderTemplate(`\${services.${name}.url}`, context);
  } catch (error) {
    // A `url:` that needs a port the service does not have (`port: none`) gives no URL here; validation said so.
    if (error instanceof TemplateError) return undefined;
    throw error;
  }
}

/** The services that announce their port and whose port this service's command or env refers to. */
function announcedReferences(wiring: Wiring, service: ServiceConfig): string[] {
  const names = referencedServices(service);
  return wiring.services.filter((other) => other.announce && other.name !== service.name && names.has(other.name)).map((other) => other.name);
}

function planCommand(command: CommandConfig, render: (text: string) => string): PlannedCommand {
  if (command.shell) return { shell: true, script: render(command.script) };
  const [file = "", ...args] = renderArgv(command, render);
  return { shell: false, file, args };
}

/** The arguments of a command with templates filled in; a bare `${…}` of a command string that is empty is dropped. */
export function renderArgv(command: Extract<CommandConfig, { shell: false }>, render: (text: string) => string): string[] {
  const optional = new Set(command.optional);
  return command.argv.map(render).filter((arg, index) => arg !== "" || !optional.has(index));
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
