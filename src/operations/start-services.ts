import type { StartReport } from "../supervise/stop-start.js";
import { askSupervisor, namedIds } from "./supervisor-request.js";

/** What `portmate start --json` prints: the report by service id, with the stack it is about. */
export interface StartJson extends StartReport {
  project: string;
  instance: number;
}

export interface StartServicesOptions {
  project: string;
  instance: number;
  /** The services to start; none: every one that is not running. */
  services: string[];
}

/**
 * Asks the stack's supervisor to start services that are not running, on the ports they had, with the stopped
 * services they depend on first; each healthy before the next.
 */
export async function startServices(options: StartServicesOptions): Promise<StartJson> {
  const { record, ids } = namedIds(options.project, options.instance, options.services);
  const what = ids.length ? ids.join(", ") : `the services of ${record.project}`;
  const report = (await askSupervisor(record, { op: "start-services", services: ids, instance: options.instance }, `could not start ${what}`)) as StartReport;
  return { project: record.project, instance: options.instance, ...report };
}
