import { spawn } from "node:child_process";
import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { dashboardToken } from "../../dashboard/access.js";
import { ensureDashboard } from "../../proxy/ensure-dashboard.js";
import { stopProcess } from "../../process/stop-process.js";
import { runningDaemon } from "../../state/daemon-record.js";
import { stateLayout } from "../../state/paths.js";
import { dashboardUrl } from "../ui/dashboard-line.js";
import type { CliIO } from "../ui/terminal.js";
import { ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** `portmate dashboard`. */
export function dashboardCli(io: CliIO): Command {
  const command = new Command("dashboard")
    .summary("open the web dashboard of every running stack")
    .description(
      "Open a web page of every stack on this machine, live: each service's status, health check, ports, URLs, pid, uptime and restarts, its logs, and buttons to restart, stop, start or move it. The page is served on 127.0.0.1 only: at http://portmate.localhost:PORT when the local proxy runs, else on a port of its own.",
    )
    .option("--no-open", "print the URL, do not open a browser")
    .option("--json", "print {url, token_url, port, started, opened} as JSON")
    .option("--stop", "stop the dashboard's process");
  helpExtras(
    command,
    {
      notes: [
        "Without a display (no DISPLAY or WAYLAND_DISPLAY), the URL is printed instead of opened.",
        "Anyone may look; acting (restart, stop, start) and reading environment values need your token (in the state folder, 0600). The URL this command opens carries it once; the page keeps it.",
        "The dashboard ends after 30 minutes with no page open (PORTMATE_DASHBOARD_IDLE_MS), or a minute after the last stack stopped.",
      ],
      exitCodes: [[ExitCode.ok, "opened, printed or stopped"], INTERNAL_EXIT],
      examples: [
        ["portmate dashboard", "open it in the browser"],
        ["portmate dashboard --no-open", "print its URL (with the token) to open elsewhere"],
        ["portmate dashboard --stop", "stop it; the stacks keep running"],
      ],
    },
    io,
  );
  return command.action(async (options: { open: boolean; json?: boolean; stop?: boolean }) => {
    throw new ExitRequest(await dashboardCommand({ open: options.open, json: options.json === true, stop: options.stop === true }, io));
  });
}

export interface DashboardCommandOptions {
  open: boolean;
  json: boolean;
  stop: boolean;
}

/** `portmate dashboard`: starts the dashboard when it does not run, then opens (or prints) its URL with the token. */
export async function dashboardCommand(options: DashboardCommandOptions, io: CliIO): Promise<number> {
  const layout = stateLayout();
  if (options.stop) {
    const running = runningDaemon(layout, "dashboard");
    if (running) await stopProcess({ pid: running.pid, startTime: running.startTime }, 3000);
    io.stdout.write(running ? `stopped the dashboard (pid ${running.pid})\n` : "the dashboard is not running\n");
    return ExitCode.ok;
  }
  const { port, started } = await ensureDashboard(layout);
  const url = dashboardUrl(layout) ?? `http://127.0.0.1:${port}/`;
  const tokenUrl = `${url}#token=${dashboardToken(layout)}`;
  const opened = options.open && !options.json && (await openBrowser(tokenUrl));
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ url, token_url: tokenUrl, port, started, opened }, null, 2)}\n`);
  } else if (opened) {
    io.stdout.write(`Opened the dashboard: ${url}\n`);
  } else {
    io.stdout.write(`Dashboard: ${tokenUrl}\n`);
    io.stderr.write("(the part after # is your token: it lets the page restart, stop and start services)\n");
  }
  return ExitCode.ok;
}

/** Opens `url` in the user's browser where there is a display to show it; whether it was handed to one. */
function openBrowser(url: string): Promise<boolean> {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer.exe" : "xdg-open";
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
