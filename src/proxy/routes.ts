import type { ServiceStatus } from "../supervise/events.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import type { StateLayout } from "../state/paths.js";

/** Where one name leads: a service of a running stack, as its record says now. */
export interface Route {
  hostname: string;
  project: string;
  instance: number;
  /** `ui`, `ui#2`. */
  service: string;
  name: string;
  port: number | null;
  status: ServiceStatus;
  /** Its log file, whose last lines a page shows while it is not ready. */
  log: string;
  namedUrl: string;
}

/** Every name of every stack whose supervisor is alive, read from the records in the state folder. */
export function readRoutes(layout: StateLayout): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const { record, alive } of recordedStacks(layout)) {
    if (!alive) continue;
    for (const service of record.services) {
      if (!service.hostname || !service.namedUrl || routes.has(service.hostname)) continue;
      routes.set(service.hostname, {
        hostname: service.hostname,
        project: record.project,
        instance: record.instance,
        service: service.id,
        name: service.name,
        port: service.port,
        status: service.status,
        log: service.log,
        namedUrl: service.namedUrl,
      });
    }
  }
  return routes;
}

/** What the proxy does with a request for a route: pass it on, hold it until the service is ready, or say why not. */
export function routeState(route: Route): "ready" | "coming" | "stopped" | "down" {
  switch (route.status) {
    case "healthy":
    case "unhealthy":
      return route.port === null ? "coming" : "ready";
    case "pending":
    case "starting":
    case "restarting":
    case "stopping":
      return "coming";
    case "stopped":
      return "stopped";
    default:
      return "down";
  }
}
