import type { ServiceConfig } from "../config/types.js";
import { envPrefix } from "./names.js";
import { referencedServices } from "./references.js";

// The variables portmate injects, in one place: a run (render.ts), an export (export/model.ts) and
// `portmate env` give the same names for the same services.

/** `BACKEND_PORT`: the variable of a service's primary port. */
export function portVariable(service: string): string {
  return `${envPrefix(service)}_PORT`;
}

/** `BACKEND_URL`: the variable of a service's URL. */
export function urlVariable(service: string): string {
  return `${envPrefix(service)}_URL`;
}

/** `UI_NAMED_URL`: a service's URL through the local proxy, as `portmate env` prints it. */
export function namedUrlVariable(service: string): string {
  return `${envPrefix(service)}_NAMED_URL`;
}

/**
 * The services whose `<SVC>_PORT` / `<SVC>_URL` a service gets: itself, the services it depends on and those
 * its templates refer to. Not every service: a variable of a service it does not use would only make it look
 * as if it referred to that service (and restart it when that one moves).
 */
export function discoveredServices(service: ServiceConfig): Set<string> {
  return new Set([service.name, ...service.dependsOn.map((dependency) => dependency.service), ...referencedServices(service)]);
}

/** `<SVC>_PORT`, and `<SVC>_URL` when the service has a URL. */
export function discoveryVariables(service: string, port: string, url: string | undefined): Record<string, string> {
  return { [portVariable(service)]: port, ...(url === undefined ? {} : { [urlVariable(service)]: url }) };
}

/** PORTMATE_PROJECT, PORTMATE_INSTANCE, and PORT when the service has a port. */
export function portmateVariables(project: string, instance: number, port: string | undefined): Record<string, string> {
  return { PORTMATE_PROJECT: project, PORTMATE_INSTANCE: String(instance), ...(port === undefined ? {} : { PORT: port }) };
}
