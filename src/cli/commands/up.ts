import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { MAX_INSTANCES } from "../../up.js";
import type { CliIO } from "../terminal.js";
import { upCommand } from "../up-command.js";
import { count, ExitRequest, globals, helpExtras, INTERNAL_EXIT, portOverride, withProjectOptions } from "./shared.js";

/** `portmate up`. */
export function upCli(io: CliIO): Command {
  const tunnelSwitches = { tunnels: [] as string[], off: false };
  const command = new Command("up")
    .summary("start the services, wait until healthy, show their output")
    .description("Allocate ports, start the services in dependency order, wait until healthy, then show their output. Ctrl-C stops everything.")
    .argument("[services...]", "services to start, with what they depend on (default: all not disabled)")
    .option("-n, --instances <count>", `run N copies of the stack side by side, each on its own ports (1-${MAX_INSTANCES})`, count(1, MAX_INSTANCES), 1)
    .option("-d, --detach", "return once every service is healthy, leaving a supervisor running in the background")
    .option("--port <service=port>", "prefer this port for a service (`SVC.NAME=PORT` for a named port); repeatable", portOverride)
    .option("--strict-ports", "fail (exit 3) instead of picking another port when a preferred port is taken")
    .option("--fresh-ports", "ignore the ports this project had last time")
    .option("--tunnel <service>", "open this service's public tunnel (as its `tunnel:` says), also one with `enabled: false`; repeatable")
    .option("--no-tunnel", "open no public tunnel (but those named with --tunnel)")
    // commander keeps --tunnel and --no-tunnel under one key, the last one winning: listen to each instead, so
    // `--no-tunnel --tunnel ui` means "only ui's tunnel" in either order.
    .on("option:tunnel", (service: string) => tunnelSwitches.tunnels.push(service))
    .on("option:no-tunnel", () => (tunnelSwitches.off = true));
  withProjectOptions(command);
  helpExtras(
    command,
    {
      notes: [
        "Ports, in the order they are chosen: --port, else <SERVICE>_PORT from the environment, else the config's `port:`; then the port the service had last time; then the first free one of the range.",
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
        ["portmate up --instances 3", "three copies of the stack, each with its own ports"],
        ["portmate up -d", "start in the background; then portmate ps, logs -f, down"],
        ["portmate up --port backend=8080", "backend on 8080 if it is free (another port with a warning if not)"],
        ["portmate up -p demo2", "a second copy of the project under another name"],
        ["portmate up --no-tunnel", "run locally only, whatever the services' `tunnel:` say"],
        ["portmate up --tunnel ui", "also open ui's tunnel (one with `enabled: false`)"],
      ],
    },
    io,
  );
  return command.action(
    async (
      services: string[],
      options: { instances: number; detach?: boolean; port?: Record<string, number>; strictPorts?: boolean; freshPorts?: boolean },
      self: Command,
    ) => {
      const code = await upCommand(
        {
          ...globals(self),
          services,
          instances: options.instances,
          detach: options.detach === true,
          ports: options.port ?? {},
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
}
