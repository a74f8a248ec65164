import { Argument, Command } from "commander";
import { ExitCode } from "../../errors.js";
import { ensureProxy } from "../../proxy/ensure-proxy.js";
import { proxyStatus, stopProxy } from "../../proxy/proxy-status.js";
import { stateLayout } from "../../state/paths.js";
import type { CliIO } from "../ui/terminal.js";
import { formatTable } from "../ui/table.js";
import { proxyLine } from "../ui/proxy-line.js";
import { ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** What `portmate proxy` does. */
export const PROXY_ACTIONS = ["status", "start", "stop"] as const;
type ProxyAction = (typeof PROXY_ACTIONS)[number];

/** `portmate proxy`. */
export function proxyCli(io: CliIO): Command {
  const command = new Command("proxy")
    .summary("show, start or stop the local proxy that serves the .localhost names")
    .description(
      "The local proxy serves every running stack's names (`http://ui.demo.localhost:1356`, for projects with `proxy: true`) on one port of 127.0.0.1 and ::1. The first stack that needs it starts it; it ends once no stack needs it. Its port: PORTMATE_PROXY_PORT, else 1356 (any free port when another program holds 1356).",
    )
    .addArgument(new Argument("[action]", "status (the default), start or stop").choices(PROXY_ACTIONS).default("status"))
    .option("--json", "status: print it as JSON");
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "done (status: also when it is not running)"], [ExitCode.noPorts, "start: its port cannot be had"], INTERNAL_EXIT],
      examples: [
        ["portmate proxy", "is it running, on which port, and which names it serves"],
        ["portmate proxy stop", "stop it; the stacks keep running, their names answer again once a stack starts it"],
        ["PORTMATE_PROXY_PORT=80 portmate proxy start", "on port 80 (where the system allows it), for names without a port"],
      ],
    },
    io,
  );
  return command.action(async (action: ProxyAction, options: { json?: boolean }) => {
    throw new ExitRequest(await proxyCommand({ action, json: options.json === true }, io));
  });
}

/** `portmate proxy status|start|stop`. */
export async function proxyCommand(options: { action: ProxyAction; json: boolean }, io: CliIO): Promise<number> {
  const layout = stateLayout();
  if (options.action === "start") {
    const { port, started } = await ensureProxy(layout);
    io.stdout.write(`${started ? "started the local proxy" : "the local proxy runs already"} on port ${port}\n`);
    return ExitCode.ok;
  }
  if (options.action === "stop") {
    const pid = await stopProxy(layout);
    io.stdout.write(pid === undefined ? "the local proxy is not running\n" : `stopped the local proxy (pid ${pid})\n`);
    return ExitCode.ok;
  }
  const status = await proxyStatus(layout);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(status ? { running: true, ...status } : { running: false }, null, 2)}\n`);
    return ExitCode.ok;
  }
  io.stdout.write(`${proxyLine(status)}\n`);
  if (status?.routes.length) {
    const rows = status.routes.map((route) => [route.hostname, route.project, route.service, route.port === null ? "-" : String(route.port), route.status]);
    io.stdout.write(`${formatTable(["NAME", "PROJECT", "SERVICE", "PORT", "STATUS"], rows)}\n`);
  }
  return ExitCode.ok;
}
