import type { ServiceConfig } from "../config/types.js";
import type { PortRequest } from "../ports/allocate.js";
import { portKey, serviceId } from "./names.js";

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
