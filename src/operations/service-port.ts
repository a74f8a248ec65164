import { UsageError } from "../errors.js";
import { recordedService, runningRecord } from "./running-stack.js";

/** What `portmate port --json` prints: the port asked for, and where the service is reached. */
export interface ServicePortJson {
  project: string;
  instance: number;
  service: string;
  /** The named port asked for; null for the primary one. */
  name: string | null;
  port: number;
  /** Its own URL, on its primary port. */
  url: string | null;
  /** Its URL through the local proxy, when the project has names. */
  named_url: string | null;
}

export interface ServicePortOptions {
  project: string;
  instance: number;
  service: string;
  /** A named port of the service; default: its primary one. */
  name?: string;
}

/** The port a running service got (its primary one, or the one named); a usage error that lists its ports when it has not that one. */
export function servicePort(options: ServicePortOptions): ServicePortJson {
  const service = recordedService(runningRecord(options.project, options.instance), options.service);
  const port = options.name === undefined ? service.port : service.ports[options.name];
  if (port === undefined || port === null) {
    const names = Object.keys(service.ports);
    throw new UsageError(
      options.name === undefined
        ? `${options.service} has no port${service.status === "starting" ? " yet" : ""}`
        : `${options.service} has no port named "${options.name}"`,
      names.length ? `its ports: ${names.join(", ")}` : undefined,
    );
  }
  return {
    project: options.project,
    instance: options.instance,
    service: service.name,
    name: options.name ?? null,
    port,
    url: service.url,
    named_url: service.namedUrl ?? null,
  };
}

/** A running service's URL: `named`, through the local proxy when it has a name (else its own); `direct`, its own. */
export function serviceUrl(options: Omit<ServicePortOptions, "name"> & { url: "named" | "direct" }): string {
  const service = recordedService(runningRecord(options.project, options.instance), options.service);
  const url = options.url === "named" ? (service.namedUrl ?? service.url) : service.url;
  if (!url) throw new UsageError(`${options.service} has no URL`, "it is not checked over HTTP and has no `url:`; `portmate port` gives its port");
  return url;
}
