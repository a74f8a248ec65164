import { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { type CliIO, info, warn } from "../ui/terminal.js";
import { collect, count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, withProjectOptions } from "./shared.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import type { ExportTargetName } from "../../export/export.js";
import type { ExportFile } from "../../export/result.js";
import type { ProjectOptions } from "../../operations/current-project.js";

/** The options of `portmate export`, as commander gives them. */
interface ExportFlags {
  profile?: string[];
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
    .option("--profile <name>", "as for `up`: export the services of this profile too; repeatable; default: PORTMATE_PROFILES", collect)
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
    // The exporters, and the Kubernetes models they check against, are a chunk of their own: loaded when an
    // export runs, not with help or completion.
    const { EXPORT_TARGETS } = await import("../../export/export.js");
    if (!(EXPORT_TARGETS as readonly string[]).includes(target))
      throw new UsageError(`unknown export target "${target}"`, `targets: ${EXPORT_TARGETS.join(", ")}`);
    if (options.format !== undefined && (target !== "nomad" || !["json", "hcl"].includes(options.format))) {
      throw new UsageError(`--format ${options.format}: only \`export nomad\` has formats: json or hcl`);
    }
    if (options.liveness && target !== "kubernetes") throw new UsageError("--liveness: only `export kubernetes` has liveness probes");
    throw new ExitRequest(
      await exportCommand(
        {
          ...globals(self),
          target: target as "compose" | "kubernetes" | "nomad",
          services,
          ...(options.profile === undefined ? {} : { profiles: options.profile }),
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

export interface ExportCommandOptions extends ProjectOptions {
  target: ExportTargetName;
  services: string[];
  /** `--profile` (default: PORTMATE_PROFILES). */
  profiles?: string[];
  instances: number;
  /** `-o`: a file (compose, nomad) or a folder (kubernetes); default: stdout. */
  output: string | undefined;
  format: "json" | "hcl" | undefined;
  /** kubernetes: liveness probes too. */
  liveness: boolean;
}

/**
 * `portmate export TARGET`: the stack as a compose file, Kubernetes manifests or a Nomad job, on stdout or in
 * `-o`. Everything that could not be carried over is a warning on stderr.
 */
export async function exportCommand(options: ExportCommandOptions, io: CliIO): Promise<number> {
  const { exportConfig } = await import("../../export/export.js");
  const result = exportConfig({
    file: options.file,
    projectName: options.projectName,
    ...(options.envFiles === undefined ? {} : { envFiles: options.envFiles }),
    target: options.target,
    services: options.services,
    ...(options.profiles === undefined ? {} : { profiles: options.profiles }),
    instances: options.instances,
    ...(options.format ? { format: options.format } : {}),
    ...(options.liveness ? { liveness: true } : {}),
  });
  for (const line of result.warnings) warn(io, line);
  if (options.output === undefined) {
    io.stdout.write(result.files.map((file) => file.text).join(options.target === "nomad" ? "\n" : "---\n"));
    return ExitCode.ok;
  }
  for (const file of result.files) {
    const path = destination(options.target, options.output, file, result.files);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
    info(io, `wrote ${path}`);
  }
  return ExitCode.ok;
}

/**
 * Where a file goes: for kubernetes `-o` is a folder; otherwise `-o` names the first file, and the others (one
 * per instance) get the instance before the extension: `-o stack.yaml` → `stack.yaml`, `stack.2.yaml`.
 */
function destination(target: ExportTargetName, output: string, file: ExportFile, files: readonly ExportFile[]): string {
  if (target === "kubernetes") return join(output, file.name);
  const index = files.indexOf(file);
  if (index === 0) return output;
  const extension = extname(output);
  return `${output.slice(0, output.length - extension.length)}.${index + 1}${extension}`;
}
