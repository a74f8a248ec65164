import { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";

/** The options of `portmate export`, as commander gives them. */
interface ExportFlags {
  output?: string;
  instances: number;
  format?: string;
  liveness?: boolean;
}

/** `portmate export`. */
export function exportCli(io: CliIO): Command {
  const command = new Command("export")
    .summary("write a compose file, Kubernetes manifests or a Nomad job")
    .description("Hand the stack to another engine: a docker compose file, Kubernetes manifests or a Nomad job, from the same portmate.yaml.")
    .argument("<target>", "compose, kubernetes or nomad")
    .argument("[services...]", "services to export, with what they depend on (default: all not disabled)")
    .option("-o, --output <path>", "write to this file (a folder for kubernetes) instead of stdout")
    .option(
      "-n, --instances <count>",
      `export N copies of the stack (compose projects, namespaces, Nomad groups) (1-${MAX_INSTANCES})`,
      count(1, MAX_INSTANCES),
      1,
    )
    .option("--format <format>", "nomad: json (the default) or hcl")
    .option("--liveness", "kubernetes: also give each container a liveness probe (restarts a container whose check fails)");
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: ["What the engine cannot do as portmate does is said on stderr, one warning per thing, never silently."],
      exitCodes: [[ExitCode.ok, "exported"], [ExitCode.usage, "usage or config error (a service without the image the target needs, say)"], INTERNAL_EXIT],
      examples: [
        ["portmate export compose -o compose.yaml", "then: docker compose up"],
        ["portmate export kubernetes -o k8s/", "then: kubectl apply -f k8s/"],
        ["portmate export nomad --format hcl -o job.nomad.hcl", "then: nomad job run job.nomad.hcl"],
      ],
    },
    io,
  );
  return command.action(async (target: string, services: string[], options: ExportFlags, self: Command) => {
    const { EXPORT_TARGETS } = await import("../../export/export.js");
    if (!(EXPORT_TARGETS as readonly string[]).includes(target))
      throw new UsageError(`unknown export target "${target}"`, `targets: ${EXPORT_TARGETS.join(", ")}`);
    if (options.format !== undefined && (target !== "nomad" || !["json", "hcl"].includes(options.format))) {
      throw new UsageError(`--format ${options.format}: only \`export nomad\` has formats: json or hcl`);
    }
    if (options.liveness && target !== "kubernetes") throw new UsageError("--liveness: only `export kubernetes` has liveness probes");
    const { exportCommand } = await import("../export-command.js");
    throw new ExitRequest(
      exportCommand(
        {
          ...globals(self),
          target: target as "compose" | "kubernetes" | "nomad",
          services,
          instances: options.instances,
          output: options.output,
          format: options.format as "json" | "hcl" | undefined,
          liveness: options.liveness === true,
        },
        io,
      ),
    );
  });
}
