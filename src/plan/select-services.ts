import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { UsageError } from "../errors.js";
import { unknownNameError } from "../util/did-you-mean.js";
import { closure, startOrder } from "../util/graph.js";
import { referencedServices } from "./references.js";

/**
 * The services `portmate up [NAMES…]` starts, in start order: the named ones (default: those started by default,
 * see startsByDefault) and everything they depend on or refer to in templates, whatever their profiles, as
 * docker compose starts a service that is named or depended on.
 */
export function selectServices(config: PortmateConfig, names: readonly string[] = [], profiles: readonly string[] = []): ServiceConfig[] {
  const known = [...config.services.keys()];
  for (const name of names) {
    if (!config.services.has(name)) {
      throw unknownNameError(name, known, { message: `no service "${name}" in ${config.file}`, list: "services" });
    }
  }
  const graph = new Map([...config.services.values()].map((service) => [service.name, needs(service)]));
  const roots = names.length ? names : defaultServices(config, profiles);
  const wanted = closure(graph, roots);
  const order = startOrder(new Map([...graph].filter(([name]) => wanted.has(name))));
  return order.map((name) => config.services.get(name) as ServiceConfig);
}

/**
 * Whether `up` without names starts the service: it is not `disabled`, and it has no profiles or one of them
 * is active (`*` activates every one, as in compose).
 */
export function startsByDefault(service: ServiceConfig, profiles: readonly string[]): boolean {
  if (service.disabled) return false;
  return service.profiles.length === 0 || profiles.includes("*") || service.profiles.some((profile) => profiles.includes(profile));
}

/** The names of the services `up` without names starts. */
export function defaultServices(config: PortmateConfig, profiles: readonly string[] = []): string[] {
  return [...config.services.values()].filter((service) => startsByDefault(service, profiles)).map((service) => service.name);
}

/**
 * What `up` on a stack that runs already starts besides what runs: the services named, else those with an
 * active profile (the others run already, or were left out on purpose).
 */
export function namedOrProfiled(config: PortmateConfig, names: readonly string[], profiles: readonly string[]): string[] {
  if (names.length) return [...names];
  return [...config.services.values()].filter((service) => service.profiles.length && startsByDefault(service, profiles)).map((service) => service.name);
}

/** What a service needs running: its `depends_on`, and the services its templates (health check included) point at. */
function needs(service: ServiceConfig): string[] {
  return [...new Set([...service.dependsOn.map((dep) => dep.service), ...referencedServices(service, { health: true })])];
}

/** What `up` was asked to run: the services named (none: every one not disabled), tunnels switched, files watched. */
export interface ServiceSelection {
  services?: readonly string[];
  /** Active profiles (`--profile`, `PORTMATE_PROFILES`): services with one of them start too. */
  profiles?: readonly string[];
  /** `--tunnel`: these services' tunnels open, also those with `enabled: false`. */
  tunnels?: readonly string[];
  /** `--no-tunnel`: no other tunnel opens. */
  noTunnels?: boolean;
  /** false: `--no-watch`. */
  watch?: boolean;
}

/**
 * The services `up` runs: those named (or every one not disabled) with what they need, their tunnels switched
 * as asked, and without `watch:` when not watching (then the supervisor loads no watcher at all).
 */
export function selectedServices(config: PortmateConfig, options: ServiceSelection): ServiceConfig[] {
  const selected = switchTunnels(config, selectServices(config, options.services, options.profiles), options);
  return options.watch === false ? selected.map(({ watch: _watch, ...service }) => service) : selected;
}

/** The services with their tunnels switched on or off as `--tunnel` and `--no-tunnel` say; checked against the config. */
export function switchTunnels(config: PortmateConfig, selected: ServiceConfig[], options: Pick<ServiceSelection, "tunnels" | "noTunnels">): ServiceConfig[] {
  const wanted = new Set(options.tunnels ?? []);
  for (const name of wanted) {
    const service = namedService(config, name, `--tunnel ${name}`);
    if (!service.tunnel) {
      throw new UsageError(
        `--tunnel ${name}: ${name} has no \`tunnel:\` in ${config.file}`,
        `add one to services.${name}, such as \`tunnel: ngrok\` or \`tunnel: {provider: ssh, host: …}\``,
      );
    }
    if (!selected.includes(service)) throw new UsageError(`--tunnel ${name}: ${name} is not among the services being started`);
  }
  if (!wanted.size && !options.noTunnels) return selected;
  return selected.map((service) => {
    if (!service.tunnel) return service;
    const enabled = wanted.has(service.name) || (!options.noTunnels && service.tunnel.enabled);
    return enabled === service.tunnel.enabled ? service : { ...service, tunnel: { ...service.tunnel, enabled } };
  });
}

/** The service an option names, or a UsageError that says which services there are (and the likeliest one). */
export function namedService(config: PortmateConfig, name: string, option: string): ServiceConfig {
  const service = config.services.get(name);
  if (service) return service;
  throw unknownNameError(name, [...config.services.keys()], { message: `${option}: no service "${name}"`, list: "services" });
}
