import { relative } from "node:path";
import type { BuildConfig, DependencyConfig, LivenessConfig, PortmateConfig, RestartConfig, ServiceConfig } from "../config/types.js";
import { discoveredServices, discoveryVariables, portmateVariables } from "../plan/discovery-env.js";
import { renderArgv } from "../plan/render.js";
import { renderTemplate, type EngineAddressing, type TemplateContext, type TemplateService } from "../config/template.js";

/** One port of an exported service: its name (`default` for `port:`) and the number it has in the export. */
export interface ExportedPort {
  name: string;
  port: number;
}

/** A command as an engine runs it: an argument list, or a script for `/bin/sh -c`. */
export type ExportedCommand = { shell: false; argv: string[] } | { shell: true; script: string };

/** A command as one argument list, as engines take it: a script runs with `/bin/sh -c`. */
export function argvOf(command: ExportedCommand): string[] {
  return command.shell ? ["/bin/sh", "-c", command.script] : command.argv;
}

export type ExportedHealth = (
  | { kind: "http"; path: string; port: ExportedPort; status?: number }
  | { kind: "tcp"; port: ExportedPort }
  | { kind: "command"; command: ExportedCommand }
  | { kind: "log"; pattern: string }
  | { kind: "none" }
) & { intervalMs: number; timeoutMs: number; liveness?: LivenessConfig };

/** One service of one instance, with every template filled in the way the target engine addresses services. */
export interface ExportedService {
  name: string;
  image?: string;
  /** Its build folder and Dockerfile, relative to the config's folder. */
  build?: BuildConfig;
  command: ExportedCommand;
  /** Working folder relative to the config's folder ("" for the folder itself). */
  cwd: string;
  /** Absolute working folder, for engines that run commands on the host (Nomad's raw_exec). */
  hostCwd: string;
  /** What portmate gives the service: PORT, the injected variables and its own `env:`, rendered. */
  env: Record<string, string>;
  /** Its own env files, relative to the config's folder. */
  envFiles: string[];
  /** Primary first; empty for `port: none`. */
  ports: ExportedPort[];
  dependsOn: DependencyConfig[];
  health: ExportedHealth;
  restart: RestartConfig;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  /** A one-off task: no port and no check. */
  job: boolean;
}

/** The stack of one instance for an engine, and what could not be carried over. */
export interface ExportedStack {
  project: string;
  instance: number;
  /** The config's folder: paths in the export are relative to it. */
  dir: string;
  services: ExportedService[];
  /** Each thing the engine will not do as portmate does, in one line: the CLI prints them on stderr. */
  warnings: string[];
}

/** How the target engine addresses services, and the address a service listens on (`${host}`). */
export interface ExportTarget {
  /** `${host}`: what a service binds to on the engine (`0.0.0.0` in a container). */
  host: string;
  address: EngineAddressing;
  /** What `${host}` means there, for the warning when a config uses it. */
  hostNote?: string;
}

/**
 * The ports services have in an export: each preferred port as written, the others numbered from the bottom of
 * the range, skipping the preferred ones. Fixed, so the same config always exports the same way (on engines that
 * give each service an address of its own, no two services compete for a port anyway).
 */
export function exportPorts(config: PortmateConfig, services: readonly ServiceConfig[]): Map<string, Map<string, number>> {
  const taken = new Set(services.flatMap((service) => service.ports.flatMap((port) => (port.preferred === undefined ? [] : [port.preferred]))));
  let next = config.range.from;
  const ports = new Map<string, Map<string, number>>();
  for (const service of services) {
    const own = new Map<string, number>();
    for (const port of service.ports) {
      if (port.preferred !== undefined) own.set(port.name, port.preferred);
      else {
        while (taken.has(next)) next++;
        own.set(port.name, next);
        taken.add(next);
      }
    }
    ports.set(service.name, own);
  }
  return ports;
}

/**
 * The stack as another engine runs it: `${port}`, `${services.x.url}`, the injected `<SVC>_URL`… written in
 * the engine's own addressing. Warns about what means something else there: `${host}`, announced ports,
 * environment variables whose values are copied from this machine.
 */
export function exportStack(config: PortmateConfig, instance: number, target: ExportTarget, selected?: readonly ServiceConfig[]): ExportedStack {
  const services = selected ?? [...config.services.values()];
  const numbers = exportPorts(config, services);
  const warnings: string[] = [];
  const templateServices = new Map<string, TemplateService>(
    services.map((service) => [service.name, { ports: Object.fromEntries(numbers.get(service.name) ?? []) }]),
  );
  const read = new Set<string>();
  let usesHost = false;
  const exported = services.map((service) => {
    const context: TemplateContext = {
      project: config.project,
      instance,
      host: target.host,
      self: service.name,
      services: templateServices,
      env: config.variables,
      address: target.address,
      onVariable: (name) => read.add(name),
    };
    const render = (text: string) => {
      if (text.includes("${host}")) usesHost = true;
      return renderTemplate(text, context);
    };
    const ports: ExportedPort[] = [...(numbers.get(service.name) ?? [])].map(([name, port]) => ({ name, port }));
    if (service.announce) {
      warnings.push(`${service.name}: announces the port it chooses, which no engine reads: the export gives it a port (its PORT) and it must listen there`);
    }
    if (service.tunnel) warnings.push(`${service.name}: its public tunnel is not carried over: expose it the engine's way (a published port, an Ingress…)`);
    if (service.health.check.kind === "http" && service.health.check.host !== undefined) {
      warnings.push(`${service.name}: its health check's host (${service.health.check.host}) is not carried over: the engine checks the service's own address`);
    }
    return {
      name: service.name,
      ...(service.image === undefined ? {} : { image: service.image }),
      ...(service.build === undefined ? {} : { build: { ...service.build, context: relative(config.dir, service.build.context) || "." } }),
      command: service.command.shell
        ? { shell: true as const, script: render(service.command.script) }
        : { shell: false as const, argv: renderArgv(service.command, render) },
      cwd: relative(config.dir, service.cwd),
      hostCwd: service.cwd,
      env: { ...injected(config, instance, services, numbers, target, service, ports[0]), ...mapValues(service.env, render) },
      envFiles: envFilesOf(config, service),
      ports,
      dependsOn: service.dependsOn,
      health: exportHealth(service, ports, render),
      restart: service.restart,
      stopSignal: service.stopSignal,
      stopTimeoutMs: service.stopTimeoutMs,
      job: ports.length === 0 && service.health.check.kind === "none",
    } satisfies ExportedService;
  });
  if (usesHost && target.hostNote) warnings.push(target.hostNote);
  if (config.envFiles.length) {
    const files = config.envFiles.map((file) => relative(config.dir, file)).join(", ");
    warnings.push(`the top-level env files (${files}) are not carried over: a service gets its own \`env\` and portmate's variables, not what those files set`);
  }
  const copied = [...read].filter((name) => config.variables[name] !== undefined).sort();
  if (copied.length) warnings.push(`the values of ${copied.join(", ")} are copied from this machine's environment into the export`);
  if (config.proxy)
    warnings.push("the names of `proxy:` (SERVICE.PROJECT.localhost) are not carried over: `${services.NAME.named_url}` becomes the service's own URL there");
  return { project: config.project, instance, dir: config.dir, services: exported, warnings };
}

/** PORTMATE_PROJECT, PORTMATE_INSTANCE, PORT, and `<SVC>_PORT` / `<SVC>_URL` of itself and what it depends on or refers to. */
function injected(
  config: PortmateConfig,
  instance: number,
  services: readonly ServiceConfig[],
  numbers: Map<string, Map<string, number>>,
  target: ExportTarget,
  self: ServiceConfig,
  primary: ExportedPort | undefined,
): Record<string, string> {
  let env = portmateVariables(config.project, instance, undefined);
  const known = discoveredServices(self);
  for (const service of services.filter((candidate) => known.has(candidate.name))) {
    const [first] = numbers.get(service.name) ?? [];
    if (!first) continue;
    env = {
      ...env,
      ...discoveryVariables(service.name, target.address.port(service.name, first[0], first[1]), target.address.url(service.name, first[0], first[1])),
    };
  }
  if (primary) env.PORT = target.address.port(self.name, primary.name, primary.port);
  return env;
}

function exportHealth(service: ServiceConfig, ports: ExportedPort[], render: (text: string) => string): ExportedHealth {
  const { check, intervalMs, timeoutMs, liveness } = service.health;
  const timing = { intervalMs, timeoutMs, ...(liveness ? { liveness: { ...liveness } } : {}) };
  const port = (name: string): ExportedPort => ports.find((candidate) => candidate.name === name) ?? { name, port: 0 };
  switch (check.kind) {
    case "http":
      return { kind: "http", path: render(check.path), port: port(check.port), ...(check.status === undefined ? {} : { status: check.status }), ...timing };
    case "tcp":
      return { kind: "tcp", port: port(check.port), ...timing };
    case "command":
      return {
        kind: "command",
        command: check.command.shell ? { shell: true, script: render(check.command.script) } : { shell: false, argv: renderArgv(check.command, render) },
        ...timing,
      };
    case "log":
      return { kind: "log", pattern: check.pattern.source, ...timing };
    case "none":
      return { kind: "none", ...timing };
  }
}

/** The service's env files as written, relative to the config's folder. */
function envFilesOf(config: PortmateConfig, service: ServiceConfig): string[] {
  return service.envFiles.map((file) => relative(config.dir, file));
}

function mapValues(record: Record<string, string>, map: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}
