import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { referencedService, referencesIn } from "../config/template.js";
import { UsageError } from "../errors.js";
import { didYouMean } from "../util/did-you-mean.js";
import { closure, startOrder } from "../util/graph.js";
import { commandTexts } from "./render.js";

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
