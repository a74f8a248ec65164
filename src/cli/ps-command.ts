import { formatDuration } from "../duration.js";
import { ExitCode } from "../errors.js";
import { psRowsListening, recordedStacks, type PsRow } from "../stacks.js";
import { stateLayout } from "../state/paths.js";
import { formatPorts, formatTable } from "./table.js";
import { currentProject, type ProjectOptions } from "./project.js";
import { warn, type CliIO } from "./terminal.js";

export interface PsOptions extends ProjectOptions {
  all: boolean;
  json: boolean;
}

/**
 * `portmate ps`: one row per service per instance, of this project or (`-a`) of every stack on the machine, with
 * the ports each running service really listens on.
 */
export async function psCommand(options: PsOptions, io: CliIO): Promise<number> {
  const project = options.all ? undefined : currentProject(options);
  const rows = await psRowsListening(recordedStacks(stateLayout(), { project, warn: (message) => warn(io, message) }));
  if (options.json) {
    const json = rows.map(({ project, instance, service, pid, port, ports, status, url, publicUrl, startedAt, listening }) => ({
      project,
      instance,
      service,
      pid,
      port,
      ports,
      status,
      url,
      public_url: publicUrl,
      startedAt,
      listening: listening ?? null,
    }));
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    io.stderr.write(project ? `Nothing of ${project} is running. Run \`portmate up\` to start it.\n` : "No portmate stack is running.\n");
    return ExitCode.ok;
  }
  io.stdout.write(`${psTable(rows)}\n`);
  if (rows.some((row) => row.status === "stale")) {
    warn(io, "stale: the supervisor of that stack died; its services may still run. `portmate down` stops them.");
  }
  return ExitCode.ok;
}

export function psTable(rows: readonly PsRow[]): string {
  const tunnels = rows.some((row) => row.publicUrl !== null);
  return formatTable(
    ["PROJECT", "INSTANCE", "SERVICE", "PID", "PORT", "STATUS", "UPTIME", "URL", ...(tunnels ? ["PUBLIC URL"] : [])],
    rows.map((row) => [
      row.project,
      String(row.instance),
      row.id,
      row.pid === null ? "-" : String(row.pid),
      formatPorts(row),
      row.status,
      row.uptimeMs === null ? "-" : formatDuration(row.uptimeMs),
      row.url ?? "-",
      ...(tunnels ? [row.publicUrl ?? "-"] : []),
    ]),
  );
}
