import { ExitCode, PortmateError } from "../errors.js";
import type { RestartReport } from "../supervise/rewiring.js";
import { askSupervisor, namedIds } from "./supervisor-request.js";

export type { RestartReport };

export interface RestartServicesOptions {
  project: string;
  instance: number;
  /** The services to restart; none: every one of the instance, in start order (dependencies first). */
  services: string[];
  /** On newly allocated ports, restarting the services that refer to them as well. */
  newPort: boolean;
}

/**
 * Asks the stack's supervisor to restart services, each healthy before the next; with `newPort` on new ports,
 * restarting the services that refer to them too. One report per service named (or per service, for none).
 */
export async function restartServices(options: RestartServicesOptions): Promise<RestartReport[]> {
  // Every service moving at once would restart each one that refers to another once per move.
  if (options.newPort && options.services.length === 0) {
    throw new PortmateError("--new-port needs the services to move", ExitCode.usage, ["hint: `portmate restart backend --new-port`"]);
  }
  const { record, ids } = namedIds(options.project, options.instance, options.services);
  const request = { op: "restart", services: ids, instance: options.instance, newPort: options.newPort } as const;
  const what = ids.length ? ids.join(", ") : `every service of ${record.project}`;
  return (await askSupervisor(record, request, `could not restart ${what}`)) as RestartReport[];
}
