import { discoveryVariables, namedUrlVariable, portmateVariables } from "../plan/discovery-env.js";
import type { ServiceRecord, StackRecord } from "../state/registry.js";

// What a running stack tells the processes around it, read from its record: `portmate env` prints it, and
// `portmate run` gives it to the command it runs.

/**
 * Where every service of a running instance is: PORTMATE_PROJECT, PORTMATE_INSTANCE, `<SVC>_PORT` / `<SVC>_URL`
 * of every service with a port (named as each service gets them), and `<SVC>_NAMED_URL` of every service with a
 * name through the local proxy.
 */
export function discoveryEnv(record: StackRecord): Record<string, string> {
  let env = portmateVariables(record.project, record.instance, undefined);
  for (const service of record.services) {
    if (service.port !== null) env = { ...env, ...discoveryVariables(service.name, String(service.port), service.url || undefined) };
    if (service.namedUrl) env[namedUrlVariable(service.name)] = service.namedUrl;
  }
  return env;
}

/** Every variable portmate gave one service of the record: injected, from its env files, its `env:`. */
export function recordedServiceEnv(record: StackRecord, service: ServiceRecord): Record<string, string> {
  // A record written before services' variables were recorded: what every service gets, and its PORT.
  return service.env ?? { ...discoveryEnv(record), ...(service.port === null ? {} : { PORT: String(service.port) }) };
}
