import { Command } from "commander";
import { ExitCode, PortmateError, ServiceFailedError, UsageError } from "../../errors.js";
import { MAX_INSTANCES } from "../../plan/limits.js";
import { prepareStack, type UpOptions } from "../../stack/up.js";
import { type CliIO, warn } from "../ui/terminal.js";
import { collect, count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, portOverride, withProjectOptions } from "./shared.js";
import { fstatSync } from "node:fs";
import type { LoadedConfig } from "../../config/load.js";
import { stateLayout, type StateLayout } from "../../state/paths.js";
import { StackHost } from "../../stack/host.js";
import { takeSupervisor, takeWatchdog } from "../early-start.js";
import { detachedProgress, stopOnSignals } from "../detached-session.js";
import { beginUp } from "../../operations/begin-up.js";
import { upDetached } from "../../operations/up-detached.js";
import { parseServiceId } from "../../plan/names.js";
import { namedOrProfiled } from "../../plan/select-services.js";
import { activeProfiles } from "../../config/profiles.js";
import { upRunning } from "../running-up.js";
import { ForegroundSession } from "../foreground-session.js";
import { onInternalError } from "../internal-error.js";
import { Screen } from "../ui/screen.js";
import { reportPlanned } from "../ui/stack-report.js";
import { timing } from "../timing.js";

/** `portmate up`. */
export function upCli(io: CliIO): Command {
  const tunnelSwitches = { tunnels: [] as string[], off: false };
  const command = new Command("up")
    .summary("start the services, wait until healthy, show their output")
    .description("Allocate ports, start the services in dependency order, wait until healthy, then show their output. Ctrl-C stops everything.")
    .argument("[services...]", "services to start, with what they depend on (default: all not disabled)")
    .option("-n, --instances <count>", `run N copies of the stack side by side, each on its own ports (1-${MAX_INSTANCES})`, count(1, MAX_INSTANCES), 1)
    .option(
      "--profile <name>",
      "start the services of this profile too (services with `profiles:` start only so, or when named or needed); repeatable; default: PORTMATE_PROFILES",
      collect,
    )
    .option("-d, --detach", "return once every service is healthy, leaving a supervisor running in the background")
    .option("--port <service=port>", "prefer this port for a service (`SVC.NAME=PORT` for a named port); repeatable", portOverride)
    .option("--strict-ports", "fail (exit 3) instead of picking another port when a preferred port is taken")
    .option("--fresh-ports", "ignore the ports this project had last time")
    .option("--tunnel <service>", "open this service's public tunnel (as its `tunnel:` says), also one with `enabled: false`; repeatable")
    .option("--no-tunnel", "open no public tunnel (but those named with --tunnel)")
    // commander keeps --tunnel and --no-tunnel under one key, the last one winning: listen to each instead, so
    // `--no-tunnel --tunnel ui` means "only ui's tunnel" in either order.
    .option("--watch", "restart services when the files of their `watch:` change (the default)")
    .option("--no-watch", "do not watch files: no restart when they change")
    .option("--json", "with -d: print JSON once it is up: {project, instances, services (as ps --json), changes}")
    .on("option:tunnel", (service: string) => tunnelSwitches.tunnels.push(service))
    .on("option:no-tunnel", () => (tunnelSwitches.off = true));
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: [
        "Ports, in the order they are chosen: --port, else <SERVICE>_PORT from the environment, else the config's `port:`; then the port the service had last time; then the first free one of the range.",
        "Health checks run until a service is ready; with `health.liveness: {interval: 10s, timeout: 5s, failures: 3}` (or `true`) they go on: after that many failures in a row it is unhealthy, and restarted if its `restart` policy is on-failure or always.",
      ],
      exitCodes: [
        [ExitCode.ok, "stopped on request, or every service exited with code 0 (with -d: the stack is up)"],
        [ExitCode.serviceFailed, "a service failed or was not healthy in time (its last lines are shown)"],
        [ExitCode.usage, "usage or config error (nothing started)"],
        [ExitCode.noPorts, "no ports could be allocated (or a preferred port is taken, with --strict-ports)"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate up", "start every service"],
        ["portmate up ui", "start ui and what it depends on"],
        ["portmate up --profile debug", "also start the services with `profiles: [debug]`"],
        ["portmate up --instances 3", "three copies of the stack, each with its own ports"],
        ["portmate up -d", "start in the background; then portmate ps, logs -f, down"],
        ["portmate up -d --json", "the same, for scripts: the services' ports and URLs"],
        ["portmate up --port backend=8080", "backend on 8080 if it is free (another port with a warning if not)"],
        ["portmate up -p demo2", "a second copy of the project under another name"],
        ["portmate up -f portmate.yaml -f dev.yaml", "with dev.yaml merged over portmate.yaml (and no portmate.override.yaml)"],
        ["portmate up --no-tunnel", "run locally only, whatever the services' `tunnel:` say"],
        ["portmate up --tunnel ui", "also open ui's tunnel (one with `enabled: false`)"],
        ["portmate up --no-watch", "run without restarting services when their `watch:` files change"],
      ],
    },
    io,
  );
  return command.action(
    async (
      services: string[],
      options: {
        instances: number;
        detach?: boolean;
        port?: Record<string, number>;
        strictPorts?: boolean;
        freshPorts?: boolean;
        watch?: boolean;
        json?: boolean;
        profile?: string[];
      },
      self: Command,
    ) => {
      const code = await upCommand(
        {
          ...globals(self),
          services,
          ...(options.profile === undefined ? {} : { profiles: options.profile }),
          instances: options.instances,
          detach: options.detach === true,
          ports: options.port ?? {},
          strictPorts: options.strictPorts === true,
          freshPorts: options.freshPorts === true,
          tunnels: tunnelSwitches.tunnels,
          noTunnels: tunnelSwitches.off,
          watch: options.watch !== false,
          json: options.json === true,
        },
        io,
      );
      throw new ExitRequest(code);
    },
  );
}

export interface UpCommandOptions {
  /** `-f`: the config files, merged in order. */
  file?: readonly string[];
  projectName?: string;
  /** `--env-file`: read for `${VAR}` instead of the `.env` beside the config. */
  envFiles?: string[];
  services: string[];
  /** `--profile`: services of these profiles start too (default: PORTMATE_PROFILES). */
  profiles?: string[];
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
  /** `--no-watch`: false, no service is restarted when its `watch:` files change. */
  watch: boolean;
  /** With `detach`: print the project, its instances and its services as JSON once it is up. */
  json: boolean;
}

/**
 * `portmate up`, in the foreground or (`-d`) in the background. Returns the exit code; errors (config, ports,
 * a service that failed to start) are thrown for the CLI to report, after everything started has been stopped.
 */
export async function upCommand(options: UpCommandOptions, io: CliIO): Promise<number> {
  timing("loaded");
  if (options.json && !options.detach) throw new UsageError("--json needs -d: a foreground `up` prints the services' output", "`portmate up -d --json`");
  const layout = stateLayout();
  const planning = {
    services: options.services,
    ...(options.profiles === undefined ? {} : { profiles: options.profiles }),
    instances: options.instances,
    ports: options.ports,
    strictPorts: options.strictPorts,
    freshPorts: options.freshPorts,
    tunnels: options.tunnels,
    noTunnels: options.noTunnels,
    watch: options.watch,
    ...(options.envFiles === undefined ? {} : { envFiles: options.envFiles }),
  };
  if (options.detach) {
    const signals = stopOnSignals();
    try {
      const result = await upDetached({
        ...planning,
        ...(options.file === undefined ? {} : { config: options.file }),
        ...(options.projectName === undefined ? {} : { projectName: options.projectName }),
        supervisor: takeSupervisor(layout),
        signal: signals.signal,
        on: detachedProgress(io, options.json),
      });
      if (options.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else for (const line of result.changes) io.stdout.write(`${line}\n`);
      return ExitCode.ok;
    } finally {
      signals.dispose();
    }
  }
  const begun = await beginUp(layout, {
    file: options.file,
    projectName: options.projectName,
    envFiles: options.envFiles,
    note: (line) => io.stderr.write(`${line}\n`),
    warn: (message) => warn(io, message),
  });
  timing("config");
  try {
    if (begun.running) {
      const services = namedOrProfiled(begun.loaded.config, options.services, activeProfiles(options.profiles));
      return await upRunning(begun.running, { ...options, services, loaded: begun.loaded }, io);
    }
    return await upForeground({ ...planning, loaded: begun.loaded, ...begun.checkout }, layout, io, begun.release);
  } finally {
    begun.release();
  }
}

async function upForeground(upOptions: UpOptions & { loaded: LoadedConfig }, layout: StateLayout, io: CliIO, registered: () => void): Promise<number> {
  const watchdog = takeWatchdog();
  const stack = await prepareStack({ ...upOptions, ...(watchdog ? { watchdog } : {}) }).catch(async (error: unknown) => {
    await watchdog?.close();
    throw error;
  });
  timing("ports");
  reportPlanned(io, stack.warnings, stack.notices);
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
      throw new PortmateError(error.message, error.exitCode, [`its output is above; \`portmate logs ${parseServiceId(error.service).name}\` shows it again`]);
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
