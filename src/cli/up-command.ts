import { ExitCode, PortmateError, ServiceFailedError } from "../errors.js";
import { OwnedLocks } from "../state/port-locks.js";
import { identify } from "../supervise/process-tree.js";
import { fstatSync, rmSync } from "node:fs";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { stopStacks } from "../down.js";
import { psRows, recordedStacks } from "../stacks.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { StackHost } from "../state/stack-host.js";
import { prepareStack, type UpOptions } from "../up.js";
import { takeSupervisor, takeWatchdog } from "../daemon/start-supervisor.js";
import { upDetached } from "./detach.js";
import { psTable } from "./ps-command.js";
import { ForegroundSession } from "./foreground-session.js";
import { onInternalError } from "./internal-error.js";
import { Screen } from "./screen.js";
import { info, warn, type CliIO } from "./terminal.js";

export interface UpCommandOptions {
  file?: string;
  projectName?: string;
  services: string[];
  instances: number;
  /** `-d`: return once healthy, leaving a supervisor running. */
  detach: boolean;
  /** `--port SVC=PORT`, by `SVC` or `SVC.NAME`. */
  ports: Record<string, number>;
  strictPorts: boolean;
  freshPorts: boolean;
  /** `--tunnel SVC`: these services' tunnels open, also those with `enabled: false`. */
  tunnels: string[];
  /** `--no-tunnel`: no other tunnel opens. */
  noTunnels: boolean;
}

/**
 * `portmate up`, in the foreground or (`-d`) in the background. Returns the exit code; errors (config, ports,
 * a service that failed to start) are thrown for the CLI to report, after everything started has been stopped.
 */
export async function upCommand(options: UpCommandOptions, io: CliIO): Promise<number> {
  const layout = stateLayout();
  const supervisor = options.detach ? takeSupervisor(layout) : undefined;
  let adopted = false;
  let starting: OwnedLocks | undefined;
  let project = "";
  try {
    const loaded = loadConfig({ file: options.file, projectName: options.projectName });
    project = loaded.config.project;
    // Only one `up` of a project at a time, from the check below until its record exists.
    starting = new OwnedLocks(layout.stacks, { ...identify(process.pid), project });
    if (!starting.claim(project)) {
      const holder = starting.holder(project);
      starting = undefined;
      throw new PortmateError(`${project} is being started by another portmate${holder ? ` (pid ${holder.pid})` : ""}`, ExitCode.serviceFailed, [
        "hint: `portmate ps` shows it once it is up",
      ]);
    }
    const recorded = recordedStacks(layout, { project, warn: (message) => warn(io, message) });
    if (recorded.some((stack) => stack.alive)) {
      io.stderr.write(`${project} is already running; \`portmate down\` stops it.\n`);
      io.stdout.write(`${psTable(psRows(recorded))}\n`);
      return ExitCode.ok;
    }
    // A supervisor that died left its services behind: stop them before starting afresh on those ports.
    if (recorded.length) await stopStacks(layout, recorded, { warn: (message) => warn(io, message) });

    const upOptions = {
      services: options.services,
      instances: options.instances,
      loaded,
      ports: options.ports,
      strictPorts: options.strictPorts,
      freshPorts: options.freshPorts,
      tunnels: options.tunnels,
      noTunnels: options.noTunnels,
    };
    const registered = () => {
      starting?.release(project);
      starting = undefined;
    };
    if (supervisor) {
      adopted = true;
      return await upDetached(supervisor, upOptions, layout, io);
    }
    return await upForeground(upOptions, layout, io, registered);
  } finally {
    starting?.release(project);
    if (supervisor && !adopted) {
      supervisor.child.kill("SIGKILL");
      rmSync(supervisor.log, { force: true });
    }
  }
}

async function upForeground(upOptions: UpOptions & { loaded: LoadedConfig }, layout: StateLayout, io: CliIO, registered: () => void): Promise<number> {
  const watchdog = takeWatchdog();
  const stack = await prepareStack({ ...upOptions, ...(watchdog ? { watchdog } : {}) });
  for (const warning of stack.warnings) warn(io, warning);
  for (const notice of stack.notices) info(io, notice);
  const screen = new Screen(io.stdout, io.stderr);
  const session = new ForegroundSession(stack, io, screen);
  let host: StackHost | undefined;
  // A bug that escapes (see internal-error.ts) still stops the stack, as Ctrl-C would.
  const forget = onInternalError(async () => {
    session.dispose();
    await stack.down();
    await host?.close();
  });
  try {
    host = await StackHost.open(stack, { layout, mode: "foreground", onAllStopped: () => session.stoppedElsewhere() });
    registered();
    return await session.run();
  } catch (error) {
    // The services' output was shown as it came, on this same terminal: their last lines are above already.
    if (error instanceof ServiceFailedError && error.lastLines.length && outputIsErrorOutput(io)) {
      throw new PortmateError(error.message, error.exitCode, [`its output is above; \`portmate logs ${error.service.split("#")[0]}\` shows it again`]);
    }
    throw error;
  } finally {
    forget();
    session.dispose();
    await stack.down();
    await host?.close();
  }
}

/** Whether stdout and stderr go to the same place (one terminal, one file): what one shows, the other need not. */
function outputIsErrorOutput(io: CliIO): boolean {
  if (io.stdout !== process.stdout || io.stderr !== process.stderr) return false;
  try {
    const [out, err] = [fstatSync(1), fstatSync(2)];
    return out.dev === err.dev && out.ino === err.ino && out.rdev === err.rdev;
  } catch {
    return false;
  }
}
