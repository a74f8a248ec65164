import { ExitCode } from "../errors.js";
import type { LoadedConfig } from "../config/load.js";
import type { RecordedStack } from "../state/recorded-stacks.js";
import { supervisorAlive } from "../state/registry.js";
import { applyConfig } from "../operations/apply-config.js";
import { colors, type CliIO } from "./ui/terminal.js";

/**
 * `portmate up` on a project that runs already, as compose does: its supervisor reads the config again and
 * applies what changed (one line per service acted on), starts the services named that do not run, and leaves
 * the rest alone, and adds instances when `-n` asks for more than run; in the foreground, `up` then shows the
 * stack's output until Ctrl-C, which detaches and stops nothing.
 */
export async function upRunning(
  running: readonly RecordedStack[],
  options: { services: string[]; instances: number; detach: boolean; envFiles?: string[]; loaded: LoadedConfig },
  io: CliIO,
): Promise<number> {
  const first = running.find((stack) => stack.alive) as RecordedStack;
  const { changes, failed } = await applyConfig(running, options, (line) => io.stderr.write(`${line}\n`));
  for (const line of changes) io.stdout.write(`${line}\n`);
  if (options.detach) return failed ? ExitCode.serviceFailed : ExitCode.ok;
  return attach(first, io);
}

/** Shows the stack's output (as `portmate logs -f` does) until Ctrl-C, which detaches, or the stack stops. */
async function attach(stack: RecordedStack, io: CliIO): Promise<number> {
  const { project } = stack.record;
  io.stderr.write(`${colors.dim(`Attached to ${project}: Ctrl-C detaches and stops nothing (\`portmate down\` stops it).`)}\n`);
  const { logsCommand } = await import("./commands/logs.js");
  let detached = false;
  const onSignal = () => (detached = true);
  process.once("SIGINT", onSignal);
  await logsCommand({ projectName: project, services: [], follow: true, lines: 10, until: () => !supervisorAlive(stack.record) }, io);
  process.off("SIGINT", onSignal);
  io.stderr.write(`${colors.dim(detached ? `Detached; ${project} keeps running.` : `${project} was stopped.`)}\n`);
  return ExitCode.ok;
}
