import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { type CliIO, warn } from "../ui/terminal.js";
import { ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { formatDuration } from "../../util/duration.js";
import { psRowsListening, type PsRow } from "../../stack/ps-rows.js";
import { recordedStacks } from "../../state/recorded-stacks.js";
import { stateLayout } from "../../state/paths.js";
import { formatTable } from "../ui/table.js";
import { formatPorts } from "../../stack/format-ports.js";
import { proxyLine } from "../ui/proxy-line.js";
import { proxyStatus } from "../../proxy/proxy-status.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { listServices } from "../../operations/list-services.js";

/** `portmate ps`. */
export function psCli(io: CliIO): Command {
  const command = new Command("ps")
    .summary("list the running services")
    .description("List the services of this project's running stacks (with -a: every stack on this machine).")
    .option("-a, --all", "every stack, of every project")
    .option("--json", "print JSON: an array of {project, instance, service, pid, port, ports, status, url, named_url, public_url, startedAt, listening}");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: [
        "Statuses: starting, healthy, unhealthy, restarting, exited (CODE), stopping, stale (its supervisor died).",
        "unhealthy: restarted but not healthy in time, listening off its ports, or failing its `health.liveness` check (restarted when its `restart` policy says so; healthy again once the check passes).",
      ],
      exitCodes: [[ExitCode.ok, "listed (also when nothing runs)"], [ExitCode.usage, "usage or config error"], INTERNAL_EXIT],
      examples: [
        ["portmate ps", "this project's services"],
        ["portmate ps -a", "every stack on this machine"],
        ["portmate ps --json | jq '.[].url'", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (options: { all?: boolean; json?: boolean }, self: Command) => {
    throw new ExitRequest(await psCommand({ ...globals(self), all: options.all === true, json: options.json === true }, io));
  });
}

export interface PsOptions extends ProjectOptions {
  all: boolean;
  json: boolean;
}

/**
 * `portmate ps`: one row per service per instance, of this project or (`-a`) of every stack on the machine, with
 * the ports each running service really listens on.
 */
export async function psCommand(options: PsOptions, io: CliIO): Promise<number> {
  const project = options.all ? undefined : await currentProject(options);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(await listServices({ project, warn: (message) => warn(io, message) }), null, 2)}\n`);
    return ExitCode.ok;
  }
  const rows = await psRowsListening(recordedStacks(stateLayout(), { project, warn: (message) => warn(io, message) }));
  if (rows.length === 0) {
    io.stderr.write(project ? `Nothing of ${project} is running. Run \`portmate up\` to start it.\n` : "No portmate stack is running.\n");
    return ExitCode.ok;
  }
  io.stdout.write(`${psTable(rows)}\n`);
  // Every stack's names go through one proxy: `ps -a` says how it is.
  if (options.all) {
    const status = await proxyStatus(stateLayout());
    if (status) io.stdout.write(`${proxyLine(status)}\n`);
  }
  if (rows.some((row) => row.status === "stale")) {
    warn(io, "stale: the supervisor of that stack died; its services may still run. `portmate down` stops them.");
  }
  return ExitCode.ok;
}

export function psTable(rows: readonly PsRow[]): string {
  const tunnels = rows.some((row) => row.publicUrl !== null);
  const names = rows.some((row) => row.namedUrl !== null);
  return formatTable(
    ["PROJECT", "INSTANCE", "SERVICE", "PID", "PORT", "STATUS", "UPTIME", ...(names ? ["NAME"] : []), "URL", ...(tunnels ? ["PUBLIC URL"] : [])],
    rows.map((row) => [
      row.project,
      String(row.instance),
      row.id,
      row.pid === null ? "-" : String(row.pid),
      formatPorts(row),
      row.status,
      row.uptimeMs === null ? "-" : formatDuration(row.uptimeMs),
      ...(names ? [row.namedUrl ?? "-"] : []),
      row.url ?? "-",
      ...(tunnels ? [row.publicUrl ?? "-"] : []),
    ]),
  );
}
