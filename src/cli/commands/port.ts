import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import type { CliIO } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { servicePort, serviceUrl } from "../../operations/service-port.js";

/** `portmate port`. */
export function portCli(io: CliIO): Command {
  const command = new Command("port")
    .summary("print a running service's port")
    .description("Print the port a running service got (its primary one, or the named one), as a bare number.")
    .argument("<service>", "the service")
    .argument("[name]", "a named port of the service")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--url", "print its URL instead: its stable name through the local proxy when the project has `proxy:`, else its own")
    .option("--direct", "with --url: its own URL on its port, even when it has a name")
    .option("--json", "print JSON: {project, instance, service, name, port, url, named_url}");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "printed"], [ExitCode.serviceFailed, "the stack is not running"], [ExitCode.usage, "no such service or port"], INTERNAL_EXIT],
      examples: [
        ["portmate port backend", "8000"],
        ["portmate port admin metrics", "a named port"],
        ['curl "localhost:$(portmate port backend)/health"', "in a script"],
        ["portmate port ui --url", "http://ui.demo.localhost:1356 (with `proxy: true`)"],
        ["portmate port ui --url --direct", "http://127.0.0.1:8001"],
        ["portmate port ui --json", "the port and both URLs, for scripts"],
      ],
    },
    io,
  );
  return command.action(
    async (service: string, name: string | undefined, options: { instance: number; url?: boolean; direct?: boolean; json?: boolean }, self: Command) => {
      const url = options.url ? (options.direct ? "direct" : "named") : undefined;
      throw new ExitRequest(
        await portCommand({ ...globals(self), service, name, instance: options.instance, json: options.json === true, ...(url ? { url } : {}) }, io),
      );
    },
  );
}

export interface PortCommandOptions extends ProjectOptions {
  service: string;
  name?: string;
  instance: number;
  /** Print its URL instead: `named` (through the proxy, when it has a name), or `direct` (on its port). */
  url?: "named" | "direct";
  /** Print the port and the service's URLs as JSON (`--url` then changes nothing). */
  json: boolean;
}

/** `portmate port SERVICE [NAME]`: the port a running service got, as a bare number for scripts. */
export async function portCommand(options: PortCommandOptions, io: CliIO): Promise<number> {
  const which = { project: await currentProject(options), instance: options.instance, service: options.service };
  if (options.url && !options.json) {
    io.stdout.write(`${serviceUrl({ ...which, url: options.url })}\n`);
    return ExitCode.ok;
  }
  const found = servicePort({ ...which, ...(options.name === undefined ? {} : { name: options.name }) });
  io.stdout.write(options.json ? `${JSON.stringify(found, null, 2)}\n` : `${found.port}\n`);
  return ExitCode.ok;
}
