import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, warn } from "../ui/terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { exportLines } from "../../operations/export-lines.js";
import { currentProject, type ProjectOptions } from "../../operations/current-project.js";
import { serviceEnv } from "../../operations/service-env.js";

/** `portmate env`. */
export function envCli(io: CliIO): Command {
  const command = new Command("env")
    .summary("print export lines of a running stack's ports and URLs")
    .description('Print `export NAME=value` lines of a running stack, for `eval "$(portmate env)"`.')
    .argument("[service]", "every variable portmate gives this service (default: every service's <SVC>_PORT and <SVC>_URL)")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--json", "print JSON: one object of every variable, by name");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "printed"], [ExitCode.serviceFailed, "the stack is not running"], [ExitCode.usage, "no such service"], INTERNAL_EXIT],
      examples: [
        ['eval "$(portmate env)"', "BACKEND_PORT, BACKEND_URL… in this shell"],
        ["portmate env ui", "everything ui was started with by portmate"],
        ["portmate env --json | jq -r .BACKEND_URL", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (service: string | undefined, options: { instance: number; json?: boolean }, self: Command) => {
    throw new ExitRequest(await envCommand({ ...globals(self), service, instance: options.instance, json: options.json === true }, io));
  });
}

export interface EnvCommandOptions extends ProjectOptions {
  service?: string;
  instance: number;
  json: boolean;
}

/**
 * `portmate env [SERVICE]`: `export NAME=value` lines for `eval "$(portmate env)"`. Without a service, where
 * every service of the running instance is (`BACKEND_PORT`, `BACKEND_URL`, …, as each service gets them);
 * with one, every variable portmate gives that service.
 */
export async function envCommand(options: EnvCommandOptions, io: CliIO): Promise<number> {
  const env = serviceEnv({
    project: await currentProject(options),
    instance: options.instance,
    ...(options.service === undefined ? {} : { service: options.service }),
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(env, null, 2)}\n`);
    return ExitCode.ok;
  }
  const { text, leftOut } = exportLines(env);
  io.stdout.write(text);
  for (const name of leftOut) {
    warn(io, `${name} is not a name a shell accepts, so it is left out (a service name that starts with a letter avoids this)`);
  }
  return ExitCode.ok;
}
