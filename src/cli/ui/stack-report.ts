import type { ServiceInfo } from "../../stack/stack.js";
import { servicesTable } from "./table.js";
import { info, warn, type CliIO } from "./terminal.js";
import { reportTunnels } from "./tunnel-report.js";
import { dashboardLine } from "./dashboard-line.js";
import { stateLayout } from "../../state/paths.js";

// What `up` says before and once the stack is ready, in one form whether it runs in the foreground or
// (`-d`) in a supervisor.

/** Before anything starts: the plan's warnings, then the lines worth telling that are no warning. */
export function reportPlanned(io: CliIO, warnings: readonly string[], notices: readonly string[]): void {
  for (const warning of warnings) warn(io, warning);
  for (const notice of notices) info(io, notice);
}

/** Once every service is ready: the table of services (through `write`, which may be a live screen), then the tunnels. */
export function reportReady(io: CliIO, services: readonly ServiceInfo[], write: (text: string) => void): void {
  write(`\n${servicesTable(services)}\n\n${dashboardLine(stateLayout())}\n\n`);
  reportTunnels(io, services);
}
