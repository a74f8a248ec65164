import { formatDuration } from "../duration.js";
import { ExitCode, PortmateError, StopRequestedError } from "../errors.js";
import { OwnedLocks } from "../state/port-locks.js";
import { identify } from "../supervise/process-tree.js";
import type { Stack } from "../stack.js";
import { rmSync } from "node:fs";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { stopStacks } from "../down.js";
import { psRows, recordedStacks } from "../stacks.js";
import { stateLayout, type StateLayout } from "../state/paths.js";
import { StackHost } from "../state/stack-host.js";
import { prepareStack, type UpOptions } from "../up.js";
import { takeSupervisor, takeWatchdog } from "../daemon/start-supervisor.js";
import { upDetached } from "./detach.js";
import { psTable } from "./ps-command.js";
import { describeExit, describePortEvent, type StackEvent } from "../supervise/events.js";
import { PrefixedOutput } from "./output.js";
import { StartProgress } from "./progress.js";
import { servicesTable } from "./table.js";
import { describeTunnelEvent, reportTunnels } from "./tunnel-report.js";
import { colors, info, warn, wantsFancyProgress, type CliIO } from "./terminal.js";

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

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

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
  const session = new ForegroundSession(stack, io);
  let host: StackHost | undefined;
  try {
    host = await StackHost.open(stack, { layout, mode: "foreground", onAllStopped: () => session.stoppedElsewhere() });
    registered();
    return await session.run();
  } finally {
    session.dispose();
    await stack.down();
    await host?.close();
  }
}

/**
 * One foreground run: progress while starting, the table of services, then their output until Ctrl-C or
 * SIGTERM (stop gracefully, dependents first; a second Ctrl-C kills at once) or until every service exited.
 */
class ForegroundSession {
  private readonly output: PrefixedOutput;
  private readonly exitCodes: number[] = [];
  private signals = 0;
  private stoppedRemotely = false;
  /** Set once every service is healthy: only then can "every service exited" end the run. */
  private running = false;
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));
  private readonly onSignal = () => this.signal();

  constructor(
    private readonly stack: Stack,
    private readonly io: CliIO,
  ) {
    this.output = new PrefixedOutput(
      stack.plan.services.map((service) => service.id),
      io.stdout,
    );
    stack.on((event) => this.onEvent(event));
    for (const signal of STOP_SIGNALS) process.on(signal, this.onSignal);
  }

  /** `portmate down` from another terminal stopped every instance. */
  stoppedElsewhere(): void {
    this.stoppedRemotely = true;
    this.finish();
  }

  async run(): Promise<number> {
    if (!(await this.start())) {
      await this.stack.down();
      this.io.stderr.write(colors.dim("Stopped before the stack was ready.\n"));
      return ExitCode.ok;
    }
    this.io.stdout.write(`\n${servicesTable(this.stack.list())}\n\n`);
    reportTunnels(this.io, this.stack.list());
    this.output.release();
    this.running = true;
    if (this.stack.allExited()) this.finish();
    await this.finished;
    await this.stack.down();
    if (this.signals > 0 || this.stoppedRemotely) {
      this.io.stderr.write(colors.dim(this.stoppedRemotely ? "Stopped by `portmate down`.\n" : "Stopped.\n"));
      return ExitCode.ok;
    }
    // Every service exited by itself: success only if every one of them exited with code 0.
    return this.exitCodes.every((code) => code === 0) ? ExitCode.ok : ExitCode.serviceFailed;
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.onSignal);
  }

  /** Starts with the progress display; false when a stop was requested before the stack was ready. */
  private async start(): Promise<boolean> {
    const progress = new StartProgress(this.stack.plan.services, (listener) => this.stack.on(listener), wantsFancyProgress(this.io));
    const drawing = progress.run();
    let started = false;
    try {
      await this.stack.start();
      started = true;
    } catch (error) {
      if (!(error instanceof StopRequestedError)) throw error;
    } finally {
      progress.finish("stopped");
      await drawing;
      // Whatever the services printed while starting is shown, also when the start failed: the cause of a
      // failure is often in another service's output.
      if (!started) this.output.release();
    }
    return started;
  }

  private signal(): void {
    this.signals++;
    if (this.signals === 1) {
      this.io.stderr.write(colors.dim("Stopping… (press Ctrl-C again to kill at once)\n"));
      void this.stack.down();
      this.finish();
    } else {
      this.io.stderr.write(colors.dim("Killing…\n"));
      void this.stack.down({ force: true });
    }
  }

  private onEvent(event: StackEvent): void {
    switch (event.type) {
      case "output":
        this.output.line(event.service, event.line);
        break;
      case "exited":
        // Exits portmate asked for (Ctrl-C, `portmate down`) end the run through their own path.
        if (event.requested) break;
        this.exitCodes.push(event.status.code ?? 128);
        this.output.note(event.service, describeExitEvent(event));
        if (this.running && this.stack.allExited()) this.finish();
        break;
      case "unhealthy":
        this.output.note(event.service, `unhealthy: ${event.reason}`);
        break;
      case "port":
        this.output.note(event.service, describePortEvent(event));
        break;
      case "tunnel": {
        // While starting, the table and the warnings after it tell.
        const line = this.running ? describeTunnelEvent(event) : undefined;
        if (line) this.output.note(event.service, line);
        break;
      }
      case "stopped":
        if (event.survivors.length) this.output.note(event.service, `could not be killed: pids ${event.survivors.join(", ")} remain`);
        else if (event.forced) this.output.note(event.service, "did not stop in time: killed");
        break;
      default:
        break;
    }
  }
}

/** `exited with code 1; restarting in 2.0s`: an exit as the output shows it, with what happens next. */
export function describeExitEvent(event: Extract<StackEvent, { type: "exited" }>): string {
  const exit = describeExit(event.status);
  if (event.restartInMs !== undefined) return `${exit}; restarting in ${formatDuration(event.restartInMs)}`;
  if (event.gaveUpAfter !== undefined) return `${exit}; not restarted again after ${event.gaveUpAfter} restarts in a row`;
  return exit;
}
