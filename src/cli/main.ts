import { Command, CommanderError, InvalidArgumentError } from "commander";
import { ExitCode, PortmateError, UsageError } from "../errors.js";
import { MAX_INSTANCES } from "../up.js";
import { packageInfo } from "../package-root.js";
import { stateDir } from "../state/paths.js";
import { stateFolderError } from "../state/state-error.js";
import { downCommand } from "./down-command.js";
import { portCommand } from "./port-command.js";
import { psCommand } from "./ps-command.js";
import { upCommand } from "./up-command.js";
import { colors, processIO, type CliIO } from "./terminal.js";

interface GlobalOptions {
  file?: string;
  projectName?: string;
}

/** The options of `portmate export`, as commander gives them. */
interface ExportFlags {
  output?: string;
  instances: number;
  format?: string;
  liveness?: boolean;
}

/** Thrown by an action to end the run with a code, after the action has printed what it had to. */
class ExitRequest {
  constructor(readonly code: number) {}
}

/** Builds the command tree: each command parses its own flags and hands over to a module of its own. */
function program(io: CliIO): Command {
  const tunnelSwitches = { tunnels: [] as string[], off: false };
  const root = new Command("portmate")
    .description("Run every service of a project on free ports, wired together, health-checked, and torn down cleanly.")
    .version(packageInfo().version, "-v, --version", "print the version")
    .option("-f, --file <path>", "config file (default: portmate.yaml in this folder or the nearest one above)")
    .option("-p, --project-name <name>", "project name (default: `name:` of the file, else its folder's name)")
    .helpOption("-h, --help", "show help")
    // Global options go before the command (`portmate -f x.yaml up`), as with docker compose, so that a
    // command's own short options (`logs -f` for follow) mean what they mean there.
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  root
    .command("up")
    .description("Allocate ports, start the services in dependency order, wait until healthy, then show their output. Ctrl-C stops everything.")
    .argument("[services...]", "services to start, with what they depend on (default: all not disabled)")
    .option("-n, --instances <count>", `run N copies of the stack side by side, each on its own ports (1-${MAX_INSTANCES})`, count(1, MAX_INSTANCES), 1)
    .option("-d, --detach", "return once every service is healthy, leaving a supervisor running in the background")
    .option("--port <service=port>", "prefer this port for a service (`SVC.NAME=PORT` for a named port); repeatable", portOverride, {})
    .option("--strict-ports", "fail (exit 3) instead of picking another port when a preferred port is taken")
    .option("--fresh-ports", "ignore the ports this project had last time")
    .option("--tunnel <service>", "open this service's public tunnel (as configured by its `tunnel:`), also when it says `enabled: false`; repeatable")
    .option("--no-tunnel", "open no public tunnel (but those named with --tunnel)")
    // commander keeps --tunnel and --no-tunnel under one key, the last one winning: listen to each instead, so
    // `--no-tunnel --tunnel ui` means "only ui's tunnel" in either order.
    .on("option:tunnel", (service: string) => tunnelSwitches.tunnels.push(service))
    .on("option:no-tunnel", () => (tunnelSwitches.off = true))
    .addHelpText(
      "after",
      `
Exit codes: 0 stopped on request, or every service exited with code 0 (with -d: the stack is up); 1 a service
failed or was not healthy in time (its last lines are shown); 2 usage or config error (nothing started);
3 no ports could be allocated (or a preferred port is taken, with --strict-ports).

Ports, in the order they are chosen: --port, else <SERVICE>_PORT from the environment, else the config's
\`port:\`; then the port the service had last time; then the first free one of the range.

Examples:
  portmate up                       start every service
  portmate up ui                    start ui and what it depends on
  portmate up --instances 3         three copies of the stack, each with its own ports
  portmate up -d                    start in the background; then portmate ps, logs -f, down
  portmate up --port backend=8080   backend on 8080 if it is free (another port with a warning if not)
  portmate up --no-tunnel           run locally only, whatever the services' \`tunnel:\` say
  portmate up --tunnel ui           also open ui's tunnel (one with \`enabled: false\`)`,
    )
    .action(
      async (
        services: string[],
        options: {
          instances: number;
          detach?: boolean;
          port: Record<string, number>;
          strictPorts?: boolean;
          freshPorts?: boolean;
        },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const code = await upCommand(
          {
            ...globals,
            services,
            instances: options.instances,
            detach: options.detach === true,
            ports: options.port,
            strictPorts: options.strictPorts === true,
            freshPorts: options.freshPorts === true,
            tunnels: tunnelSwitches.tunnels,
            noTunnels: tunnelSwitches.off,
          },
          io,
        );
        throw new ExitRequest(code);
      },
    );

  root
    .command("ps")
    .description("List the services of this project's running stacks (with -a: every stack on this machine).")
    .option("-a, --all", "every stack, of every project")
    .option("--json", "print JSON: an array of {project, instance, service, pid, port, ports, status, url, public_url, startedAt}")
    .addHelpText("after", "\nStatuses: starting, healthy, unhealthy, restarting, exited (CODE), stopping, stale (its supervisor died).")
    .action((options: { all?: boolean; json?: boolean }, command: Command) => {
      throw new ExitRequest(psCommand({ ...command.optsWithGlobals<GlobalOptions>(), all: options.all === true, json: options.json === true }, io));
    });

  root
    .command("down")
    .description("Stop this project's stacks (with -a: every stack), even when their supervisor died; returns once every process is gone.")
    .option("-a, --all", "every stack, of every project")
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES))
    .option("-t, --timeout <seconds>", "time each service gets to stop before SIGKILL (default: its stop_timeout)", count(0, 3600))
    .action(async (options: { all?: boolean; instance?: number; timeout?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      throw new ExitRequest(await downCommand({ ...globals, all: options.all === true, instance: options.instance, timeoutSeconds: options.timeout }, io));
    });

  root
    .command("logs")
    .description("Show the services' output, prefixed by service, in the order it was printed.")
    .argument("[services...]", "only these services")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("-n, --lines <n>", "how many lines of each service to show first (default: all)", count(0, Number.MAX_SAFE_INTEGER))
    .option("--instance <n>", "only this instance", count(1, MAX_INSTANCES))
    .action(async (services: string[], options: { follow?: boolean; lines?: number; instance?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const code = await (
        await import("./logs-command.js")
      ).logsCommand({ ...globals, services, follow: options.follow === true, lines: options.lines ?? Infinity, instance: options.instance }, io);
      throw new ExitRequest(code);
    });

  root
    .command("port")
    .description("Print the port a running service got (its primary one, or the named one), as a bare number.")
    .argument("<service>", "the service")
    .argument("[name]", "a named port of the service")
    .option("--instance <n>", "of this instance (default 1)", count(1, MAX_INSTANCES), 1)
    .action((service: string, name: string | undefined, options: { instance: number }, command: Command) => {
      throw new ExitRequest(portCommand({ ...command.optsWithGlobals<GlobalOptions>(), service, name, instance: options.instance }, io));
    });

  root
    .command("env")
    .description('Print `export NAME=value` lines of a running stack, for `eval "$(portmate env)"`.')
    .argument("[service]", "every variable portmate gives this service (default: every service's <SVC>_PORT and <SVC>_URL)")
    .option("--instance <n>", "of this instance (default 1)", count(1, MAX_INSTANCES), 1)
    .action(async (service: string | undefined, options: { instance: number }, command: Command) => {
      throw new ExitRequest(
        (await import("./env-command.js")).envCommand({ ...command.optsWithGlobals<GlobalOptions>(), service, instance: options.instance }, io),
      );
    });

  root
    .command("export")
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
    .option("--format <format>", "nomad: json (default) or hcl")
    .option("--liveness", "kubernetes: also give each container a liveness probe (restarts a container whose check fails)")
    .addHelpText(
      "after",
      `
What the engine cannot do as portmate does is said on stderr, one warning per thing, never silently.
Exit codes: 0 exported; 2 usage or config error (a service without the image the target needs, say).

Examples:
  portmate export compose -o compose.yaml       then: docker compose up
  portmate export kubernetes -o k8s/            then: kubectl apply -f k8s/
  portmate export nomad --format hcl -o job.nomad.hcl`,
    )
    .action(async (target: string, services: string[], options: ExportFlags, command: Command) => {
      const { EXPORT_TARGETS } = await import("../export/export.js");
      if (!(EXPORT_TARGETS as readonly string[]).includes(target))
        throw new UsageError(`unknown export target "${target}"`, `targets: ${EXPORT_TARGETS.join(", ")}`);
      if (options.format !== undefined && (target !== "nomad" || !["json", "hcl"].includes(options.format))) {
        throw new UsageError(`--format ${options.format}: only \`export nomad\` has formats: json or hcl`);
      }
      if (options.liveness && target !== "kubernetes") throw new UsageError("--liveness: only `export kubernetes` has liveness probes");
      const { exportCommand } = await import("./export-command.js");
      throw new ExitRequest(
        exportCommand(
          {
            ...command.optsWithGlobals<GlobalOptions>(),
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

  root
    .command("config")
    .description("Print the config with every template filled in: the running stack's ports, else the ports free now.")
    .option("--json", "print JSON instead of YAML")
    .option("--instance <n>", "of this instance (default 1)", count(1, MAX_INSTANCES), 1)
    .option("--port <service=port>", "as for `up`: prefer this port for a service; repeatable", portOverride, {})
    .action(async (options: { json?: boolean; instance: number; port: Record<string, number> }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      throw new ExitRequest(
        await (
          await import("./config-command.js")
        ).configCommand({ ...globals, json: options.json === true, instance: options.instance, ports: options.port }, io),
      );
    });

  root
    .command("who")
    .description("Tell which process holds a port (pid, command, user, since when) and which portmate stack it belongs to.")
    .argument("<port>", "the port", count(1, 65535))
    .option("--json", "print JSON")
    .addHelpText("after", "\nExit codes: 0 something holds (or portmate reserved) the port; 1 nothing does.")
    .action(async (port: number, options: { json?: boolean }) => {
      throw new ExitRequest(await (await import("./who-command.js")).whoCommand({ port, json: options.json === true }, io));
    });

  root
    .command("restart")
    .description("Restart services of a running stack, each healthy before the next.")
    .argument("<services...>", "the services")
    .option("--new-port", "on newly allocated ports; the services that refer to them are restarted too, so they point at the new ports")
    .option("--instance <n>", "of this instance (default 1)", count(1, MAX_INSTANCES), 1)
    .action(async (services: string[], options: { newPort?: boolean; instance: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      throw new ExitRequest(
        await (
          await import("./restart-command.js")
        ).restartCommand({ ...globals, services, instance: options.instance, newPort: options.newPort === true }, io),
      );
    });

  return root;
}

/** Collects `--port SVC=PORT` (or `SVC.NAME=PORT`) options into one map. */
function portOverride(value: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?)=(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match?.[1] || port < 1 || port > 65535) throw new InvalidArgumentError("must be SERVICE=PORT or SERVICE.NAME=PORT, with a port from 1 to 65535");
  return { ...previous, [match[1]]: port };
}

/** An option parser for whole numbers from `min` to `max`. */
function count(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return number;
  };
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const root = program(io);
  try {
    if (argv.length === 0) {
      root.outputHelp();
      return ExitCode.usage;
    }
    await root.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return report(error, io);
  }
}

/** The one place where errors become messages and exit codes. */
function report(error: unknown, io: CliIO): number {
  if (error instanceof ExitRequest) return error.code;
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are successes.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof PortmateError) {
    io.stderr.write(`${colors.red(error.message)}\n`);
    for (const line of error.details) io.stderr.write(`${line}\n`);
    return error.exitCode;
  }
  const stateFailure = stateFolderError(error, stateDir(io.env));
  if (stateFailure) return report(stateFailure, io);
  io.stderr.write(`${colors.red("portmate: unexpected error")}\n${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.serviceFailed;
}
