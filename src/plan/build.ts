import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import type { NameSettings } from "./hostnames.js";
import { renderService } from "./render.js";
import type { Plan, PlannedService, Wiring } from "./types.js";

/** Fills every template with the allocated ports and builds what the supervisor runs. */
export function buildPlan(
  config: PortmateConfig,
  services: readonly ServiceConfig[],
  instances: number,
  ports: ReadonlyMap<string, number>,
  names?: NameSettings,
): Plan {
  const wiring: Wiring = {
    project: config.project,
    range: { ...config.range },
    env: config.env,
    variables: config.variables,
    services: [...services],
    ports: Object.fromEntries(ports),
    urls: {},
  };
  if (names) wiring.names = { ...names };
  const planned: PlannedService[] = [];
  for (let instance = 1; instance <= instances; instance++) {
    for (const service of services) planned.push(renderService(wiring, service.name, instance));
  }
  return { project: config.project, configFile: config.file, instances, services: planned, serviceNames: [...config.services.keys()], wiring };
}
