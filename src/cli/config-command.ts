import { stringify } from "yaml";
import { ExitCode } from "../errors.js";
import { resolveConfig } from "../resolve-config.js";
import type { ProjectOptions } from "./project.js";
import { warn, type CliIO } from "./terminal.js";

export interface ConfigCommandOptions extends ProjectOptions {
  json: boolean;
  instance: number;
  ports: Record<string, number>;
}

/** `portmate config`: the resolved config, ports filled in (those of the running stack, else those free now). */
export async function configCommand(options: ConfigCommandOptions, io: CliIO): Promise<number> {
  const { warnings, ...resolved } = await resolveConfig({
    file: options.file,
    projectName: options.projectName,
    instance: options.instance,
    ports: options.ports,
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
