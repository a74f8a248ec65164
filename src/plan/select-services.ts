import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { unknownNameError } from "../util/did-you-mean.js";
import { closure, startOrder } from "../util/graph.js";
import { referencedServices } from "./references.js";

/**
 * The services `portmate up [NAMES…]` starts, in start order: the named ones (default: all not disabled) and
 * everything they depend on or refer to in templates.
 */
export function selectServices(config: PortmateConfig, names: readonly string[] = []): ServiceConfig[] {
  const known = [...config.services.keys()];
  for (const name of names) {
    if (!config.services.has(name)) {
      throw unknownNameError(name, known, { message: `no service "${name}" in ${config.file}`, list: "services" });
    }
  }
  const graph = new Map([...config.services.values()].map((service) => [service.name, needs(service)]));
  const roots = names.length ? names : [...config.services.values()].filter((service) => !service.disabled).map((service) => service.name);
  const wanted = closure(graph, roots);
  const order = startOrder(new Map([...graph].filter(([name]) => wanted.has(name))));
  return order.map((name) => config.services.get(name) as ServiceConfig);
}

/** What a service needs running: its `depends_on`, and the services its templates (health check included) point at. */
function needs(service: ServiceConfig): string[] {
  return [...new Set([...service.dependsOn.map((dep) => dep.service), ...referencedServices(service, { health: true })])];
}
