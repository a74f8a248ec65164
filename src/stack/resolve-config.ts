import { wantedProxyPort } from "../proxy/ensure-proxy.js";
import { runningProxy } from "../proxy/proxy-record.js";
import { loadConfig, type LoadConfigOptions } from "../config/load.js";
import type { PortmateConfig } from "../config/types.js";
import { activeProfiles, unknownProfiles } from "../config/profiles.js";
import { formatDuration } from "../util/duration.js";
import { formatIssue, UsageError } from "../errors.js";
import { portRequests } from "../plan/port-requests.js";
import { selectServices } from "../plan/select-services.js";
import { checkPrograms } from "../config/programs.js";
import { type PlannedCommand, type PlannedService, type PlannedTunnel } from "../plan/types.js";
import { allocatePorts } from "../ports/allocate.js";
import { ownEnv, renderService } from "../plan/render.js";
import { portKey } from "../plan/names.js";
import { type Wiring } from "../plan/types.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout } from "../state/paths.js";
import { PortLocks } from "../state/port-locks.js";
import { readStickyPorts } from "../state/sticky-ports.js";
import { describeNote, portOverrides } from "./up.js";

export interface ResolveConfigOptions extends LoadConfigOptions {
  /** Which instance to show (default 1). */
  instance?: number;
  /** The state folder (default: as for `up`). */
  stateDir?: string;
  /** Overrides as for `up`: `{ backend: 8080 }`. */
  ports?: Readonly<Record<string, number>>;
  /** Active profiles, as for `up` (default: `PORTMATE_PROFILES`). */
  profiles?: readonly string[];
}

/** `portmate config`: the config with every template filled in, as `up` runs (or runs) it. */
export interface ResolvedConfig {
  name: string;
  /** The config files read, merged in this order (absolute): portmate.yaml and its override, or each `-f`. */
  files: string[];
  instance: number;
  /** `running`: the ports of the running stack; `free now`: ports `up` would choose now (it may choose others). */
  ports_from: "running" | "free now";
  ports: { range: string };
  services: Record<string, ResolvedService>;
  /** Problems that do not stop `up` (an unset variable, a busy preferred port). */
  warnings: string[];
}

export interface ResolvedService {
  command: string[] | string;
  shell?: true;
  cwd: string;
  port: number | "announced at start" | null;
  ports: Record<string, number>;
  url: string | null;
  /** What portmate gives the service on top of the environment it runs in. */
  environment: Record<string, string>;
  depends_on: Record<string, string | { condition: string; restart: true }>;
  health: Record<string, string | number | Record<string, string | number>>;
  restart: string;
  stop_signal: string;
  stop_timeout: string;
  /** Its public tunnel: what runs to open it, or how to switch it on. */
  tunnel?: Record<string, string | number | boolean | string[]>;
  /** What restarts it when it changes. */
  watch?: { paths: string[]; ignore: string[]; debounce: string; rebuild?: string[] | string; signal?: string };
}

/** `portmate config --json`: the config with every template filled in, as `up` runs (or runs) it. */
export async function resolveConfig(options: ResolveConfigOptions = {}): Promise<ResolvedConfig> {
  const planned = await planConfig(options);
  const { config, instance } = planned;
  const resolved: ResolvedConfig = {
    name: config.project,
    files: [...config.files],
    instance,
    ports_from: planned.running ? "running" : "free now",
    ports: { range: `${config.range.from}-${config.range.to}` },
    services: {},
    warnings: planned.warnings,
  };
  for (const service of planned.services) {
    const entry = resolveService(service, config.env);
    const tunnel = config.services.get(service.name)?.tunnel;
    if (tunnel && !service.tunnel) entry.tunnel = { provider: tunnel.provider, enabled: false, opens_with: `portmate up --tunnel ${service.name}` };
    resolved.services[service.name] = entry;
  }
  return resolved;
}

/** The config with every template of every service `up` would run filled in, and what it was filled in with. */
export interface PlannedConfig {
  config: PortmateConfig;
  instance: number;
  /** Whether the ports are those of the running stack (else the ones free now). */
  running: boolean;
  services: PlannedService[];
  /** Problems that do not stop `up` (an unset variable, a busy preferred port). */
  warnings: string[];
}

/**
 * Loads the config and fills in every template. When the project runs, with its ports; otherwise with the
 * ports `up` would choose now (preferred, last run's, free ones: probed, not reserved).
 */
export async function planConfig(options: ResolveConfigOptions = {}): Promise<PlannedConfig> {
  const instance = options.instance ?? 1;
  const { config, warnings, missingPrograms } = loadConfig(options);
  const profiles = activeProfiles(options.profiles);
  const services = selectServices(config, [], profiles);
  checkPrograms(
    missingPrograms,
    services.map((service) => service.name),
  );
  const layout = stateLayout(options.stateDir);
  const running = recordedStacks(layout, { project: config.project }).find(({ record, alive }) => alive && record.instance === instance);
  const ports = new Map<string, number>();
  const urls: Record<string, string> = {};
  const notes: string[] = [];
  if (running) {
    for (const service of running.record.services) {
      for (const [name, port] of Object.entries(service.ports)) ports.set(portKey(instance, service.name, name), port);
      if (service.url && config.services.get(service.name)?.announce) urls[`${instance}/${service.name}`] = service.url;
    }
  } else {
    // Other runs' reservations are respected, and none is taken: nothing is started.
    const locks = new PortLocks(layout.ports, { pid: 0, startTime: 0, project: config.project });
    const preferences = { overrides: portOverrides(config, services, options.ports), sticky: readStickyPorts(layout, config.project) };
    const allocation = await allocatePorts(portRequests(services, instance, preferences), {
      range: config.range,
      reservations: [{ claim: (port) => locks.holder(port) === undefined, release: () => undefined }],
    });
    await allocation.release();
    for (const [key, port] of allocation.ports) ports.set(key, port);
    for (const note of allocation.notes) if (note.reason === "preferred-busy") notes.push(describeNote(note));
  }
  const wiring: Wiring = {
    project: config.project,
    range: config.range,
    env: config.env,
    variables: config.variables,
    services,
    ports: Object.fromEntries(ports),
    urls,
  };
  // Names as the proxy serves them: on its port when it runs, else on the one it would take.
  if (config.proxy) wiring.names = { port: runningProxy(layout)?.port ?? wantedProxyPort().port, https: config.proxy.https, project: config.project };
  const planned = services.map((service) => {
    try {
      return renderService(wiring, service.name, instance);
    } catch (error) {
      const hint = "the config changed since `up`: `portmate down` and `up` again";
      throw new UsageError(`cannot fill in ${service.name} with the ports of the running stack: ${(error as Error).message}`, hint);
    }
  });
  return {
    config,
    instance,
    running: running !== undefined,
    services: planned,
    warnings: [...warnings.map(formatIssue), ...unknownProfiles(config, profiles), ...notes],
  };
}

function resolveService(service: PlannedService, base: Record<string, string>): ResolvedService {
  const resolved: ResolvedService = {
    command: commandOf(service.command),
    cwd: service.cwd,
    port: service.port ?? (service.announce ? "announced at start" : null),
    ports: service.ports,
    url: service.url ?? null,
    environment: sorted(ownEnv(service, base)),
    depends_on: Object.fromEntries(
      service.dependsOn.map((dep) => [dep.id, dep.restart ? { condition: dep.condition, restart: true as const } : dep.condition]),
    ),
    health: healthOf(service),
    restart: service.restart.policy,
    stop_signal: service.stopSignal,
    stop_timeout: formatDuration(service.stopTimeoutMs),
  };
  if (service.command.shell) resolved.shell = true;
  if (service.tunnel) resolved.tunnel = tunnelOf(service.tunnel);
  if (service.watch) {
    const { paths, ignore, debounceMs, rebuild, signal } = service.watch;
    resolved.watch = {
      paths,
      ignore,
      debounce: formatDuration(debounceMs),
      ...(rebuild ? { rebuild: commandOf(rebuild) } : {}),
      ...(signal ? { signal } : {}),
    };
  }
  return resolved;
}

function tunnelOf(tunnel: PlannedTunnel): Record<string, string | number | boolean | string[]> {
  return {
    provider: tunnel.provider,
    forwards: tunnel.port,
    command: commandOf(tunnel.command),
    ...(tunnel.publicUrl === undefined ? {} : { url: tunnel.publicUrl }),
    verify: tunnel.verifyPath ?? false,
    required: tunnel.required,
    timeout: formatDuration(tunnel.timeoutMs),
    ...(tunnel.unavailable === undefined ? {} : { problem: tunnel.unavailable }),
  };
}

function commandOf(command: PlannedCommand): string[] | string {
  return command.shell ? command.script : [command.file, ...command.args];
}

function healthOf(service: PlannedService): ResolvedService["health"] {
  const { health } = service;
  const { liveness } = health;
  const timing = {
    interval: formatDuration(health.intervalMs),
    timeout: formatDuration(health.timeoutMs),
    // The same check, kept running once ready: shown with its defaults filled in.
    ...(liveness
      ? { liveness: { interval: formatDuration(liveness.intervalMs), timeout: formatDuration(liveness.timeoutMs), failures: liveness.failures } }
      : {}),
  };
  switch (health.kind) {
    case "http":
      return {
        http: `http://${health.hosts[0]}:${portText(service, health.port)}${health.path}`,
        ...(health.status === undefined ? {} : { status: health.status }),
        ...timing,
      };
    case "tcp":
      return { tcp: portText(service, health.port), ...timing };
    case "command":
      return { command: JSON.stringify(commandOf(health.command)), ...timing };
    case "log":
      return { log: health.pattern.source, ...timing };
    case "none":
      return { none: "ready once started" };
  }
}

/** A health check's port; `ANNOUNCED` while a service that announces its port has not. */
function portText(service: PlannedService, port: number): string | number {
  return service.announce && service.port === undefined ? "ANNOUNCED" : port;
}

function sorted(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}
