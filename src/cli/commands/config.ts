import { Command } from "commander";
import { stringify } from "yaml";
import { resolveConfig } from "../../stack/resolve-config.js";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, warn } from "../ui/terminal.js";
import { collect, count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, portOverride, withProjectOptions } from "./shared.js";
import type { ProjectOptions } from "../../operations/current-project.js";

/** `portmate config`. */
export function configCli(io: CliIO): Command {
  const command = new Command("config")
    .summary("print the config with every template filled in")
    .description("Print the config with every template filled in: the running stack's ports, else the ports free now.")
    .option("--json", "print JSON instead of YAML")
    .option("--instance <n>", "of this instance", count(1, MAX_INSTANCES), 1)
    .option("--port <service=port>", "as for `up`: prefer this port for a service; repeatable", portOverride)
    .option("--profile <name>", "as for `up`: show the services of this profile too; repeatable; default: PORTMATE_PROFILES", collect);
  withProjectOptions(command);
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "printed"],
        [ExitCode.usage, "config error (each problem with its file, line and column)"],
        [ExitCode.noPorts, "no ports could be allocated"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate config", "what `up` would run, as YAML"],
        ["portmate config --json | jq .services", "for scripts"],
      ],
    },
    io,
  );
  return command.action(async (options: { json?: boolean; instance: number; port?: Record<string, number>; profile?: string[] }, self: Command) => {
    const profiles = options.profile === undefined ? {} : { profiles: options.profile };
    throw new ExitRequest(
      await configCommand({ ...globals(self), json: options.json === true, instance: options.instance, ports: options.port ?? {}, ...profiles }, io),
    );
  });
}

export interface ConfigCommandOptions extends ProjectOptions {
  json: boolean;
  instance: number;
  ports: Record<string, number>;
  /** `--profile` (default: PORTMATE_PROFILES). */
  profiles?: string[];
}

/** `portmate config`: the resolved config, ports filled in (those of the running stack, else those free now). */
export async function configCommand(options: ConfigCommandOptions, io: CliIO): Promise<number> {
  const { warnings, ...resolved } = await resolveConfig({
    file: options.file,
    projectName: options.projectName,
    ...(options.envFiles === undefined ? {} : { envFiles: options.envFiles }),
    instance: options.instance,
    ports: options.ports,
    ...(options.profiles === undefined ? {} : { profiles: options.profiles }),
  });
  for (const warning of warnings) warn(io, warning);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
  } else {
    const source =
      resolved.ports_from === "running"
        ? `# ${resolved.name} is running: these are its ports.\n`
        : `# ${resolved.name} is not running: these ports are free now; \`portmate up\` may choose others if they are taken by then.\n`;
    const { ports_from: _from, ...body } = resolved;
    io.stdout.write(source + stringify(body, { lineWidth: 0 }));
  }
  return ExitCode.ok;
}
