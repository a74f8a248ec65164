// The whole CLI, every command: for help, shell completion, an unknown command (to guess from every name) or
// none (see bin.ts). Listed in the order help shows them (command-name.ts).
import { upCli } from "../commands/up.js";
import { psCli } from "../commands/ps.js";
import { downCli } from "../commands/down.js";
import { logsCli } from "../commands/logs.js";
import { portCli } from "../commands/port.js";
import { envCli } from "../commands/env.js";
import { exportCli } from "../commands/export.js";
import { configCli } from "../commands/config.js";
import { whoCli } from "../commands/who.js";
import { restartCli } from "../commands/restart.js";
import { stopCli } from "../commands/stop.js";
import { proxyCli } from "../commands/proxy.js";
import { dashboardCli } from "../commands/dashboard.js";
import { startCli } from "../commands/start.js";
import { runCli } from "../commands/run.js";
import { trustCli } from "../commands/trust.js";
import { mcpCli } from "../commands/mcp.js";
import { initCli } from "../commands/init.js";
import { completionCli, completeCli } from "../commands/completion.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) =>
  run(argv, {
    commands: [
      upCli,
      psCli,
      downCli,
      logsCli,
      portCli,
      envCli,
      exportCli,
      configCli,
      whoCli,
      restartCli,
      stopCli,
      startCli,
      runCli,
      proxyCli,
      dashboardCli,
      trustCli,
      mcpCli,
      initCli,
      completionCli,
    ],
    complete: completeCli,
  });
