import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { ExitCode } from "../errors.js";
import { exportConfig, type ExportFile, type ExportTargetName } from "../export/export.js";
import type { ProjectOptions } from "./project.js";
import { info, warn, type CliIO } from "./terminal.js";

export interface ExportCommandOptions extends ProjectOptions {
  target: ExportTargetName;
  services: string[];
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
export function exportCommand(options: ExportCommandOptions, io: CliIO): number {
  const result = exportConfig({
    file: options.file,
    projectName: options.projectName,
    target: options.target,
    services: options.services,
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
