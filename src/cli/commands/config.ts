import { Command } from "commander";
import { stringify } from "yaml";
import { loadConfig } from "../../config/load.js";
import { configDocument } from "../../stack/config-document.js";
import { planConfig, resolveConfig } from "../../stack/resolve-config.js";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, warn } from "../ui/terminal.js";
import { collect, count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, portOverride, withProjectOptions } from "./shared.js";
import type { ProjectOptions } from "../../operations/current-project.js";
import { shownPath } from "../../util/shown-path.js";

/** `portmate config`. */
export function configCli(io: CliIO): Command {
  const command = new Command("config")
    .summary("print the config with every template filled in")
    .description(
      "Print the config as a portmate.yaml with every template filled in (the running stack's ports, else the ports free now), which portmate reads back as it is.",
    )
    .option("--json", "print JSON instead: each service as `up` runs it (its whole environment, its health check's URL)")
    .option("--services", "print only the services' names, one a line")
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
        ["portmate config", "what `up` would run, as a portmate.yaml"],
        ["portmate config > resolved.yaml", "a file to run elsewhere: `portmate -f resolved.yaml up`"],
        ["portmate config --services", "the services' names"],
        ["portmate config -f portmate.yaml -f dev.yaml", "dev.yaml merged over portmate.yaml (maps merge, its lists and values win)"],
        ["portmate config --json | jq .services", "for scripts"],
      ],
    },
    io,
  );
  return command.action(
    async (options: { json?: boolean; services?: boolean; instance: number; port?: Record<string, number>; profile?: string[] }, self: Command) => {
      const profiles = options.profile === undefined ? {} : { profiles: options.profile };
      const chosen = { json: options.json === true, services: options.services === true, instance: options.instance, ports: options.port ?? {} };
      throw new ExitRequest(await configCommand({ ...globals(self), ...chosen, ...profiles }, io));
    },
  );
}

export interface ConfigCommandOptions extends ProjectOptions {
  json: boolean;
  /** Only the names of the services (in the config's order; disabled ones too). */
  services: boolean;
  instance: number;
  ports: Record<string, number>;
  /** `--profile` (default: PORTMATE_PROFILES). */
  profiles?: string[];
}

/**
 * `portmate config`: the config as a portmate.yaml with every template filled in (the ports of the running
 * stack, else those free now), or as JSON, or only the services' names.
 */
export async function configCommand(options: ConfigCommandOptions, io: CliIO): Promise<number> {
  const where = {
    file: options.file,
    projectName: options.projectName,
    ...(options.envFiles === undefined ? {} : { envFiles: options.envFiles }),
    instance: options.instance,
    ports: options.ports,
    ...(options.profiles === undefined ? {} : { profiles: options.profiles }),
  };
  if (options.services) {
    const names = [...loadConfig(where).config.services.keys()];
    io.stdout.write(options.json ? `${JSON.stringify(names, null, 2)}\n` : names.map((name) => `${name}\n`).join(""));
    return ExitCode.ok;
  }
  if (options.json) {
    const { warnings, ...resolved } = await resolveConfig(where);
    for (const warning of warnings) warn(io, warning);
    io.stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
    return ExitCode.ok;
  }
  const planned = await planConfig(where);
  for (const warning of planned.warnings) warn(io, warning);
  const name = planned.config.project;
  const header = planned.running
    ? `# ${name} is running: these are its ports${planned.instance > 1 ? ` (instance ${planned.instance})` : ""}.\n`
    : `# ${name} is not running: these ports are free now; \`portmate up\` may choose others if they are taken by then.\n`;
  const merged = planned.config.files.length > 1 ? `# Merged from ${planned.config.files.map((file) => shownPath(file)).join(", ")}, in that order.\n` : "";
  io.stdout.write(
    `${header}${merged}# Every template is filled in; portmate reads this file back as it is.\n${stringify(configDocument(planned), { lineWidth: 0 })}`,
  );
  return ExitCode.ok;
}
