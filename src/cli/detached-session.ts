import { fromWire, type FromSupervisor, type ToSupervisor } from "../daemon/protocol.js";
import { ExitCode, PortmateError } from "../errors.js";
import { planToJson } from "../plan/json.js";
import type { StateLayout } from "../state/paths.js";
import type { SupervisorProcess } from "../daemon/start-supervisor.js";
import type { StackListener } from "../supervise/events.js";
import { identify } from "../process/process-tree.js";
import { stopStacks } from "../stack/stop.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { planStack, type UpOptions } from "../stack/up.js";
import type { LoadedConfig } from "../config/load.js";
import { StartProgress } from "./ui/progress.js";
import { Screen } from "./ui/screen.js";
import { reportPlanned, reportReady } from "./ui/stack-report.js";
import { colors, warn, wantsFancyProgress, type CliIO } from "./ui/terminal.js";
import { timing } from "./timing.js";

type Outcome = Extract<FromSupervisor, { type: "ready" | "failed" | "stopped" }> | { type: "crashed"; code: number | null; signal: NodeJS.Signals | null };

/**
 * `portmate up -d`: starts a supervisor in a session of its own (it outlives this terminal), allocates the
 * ports in its name, hands it the plan, and shows the same progress as a foreground `up` from the events it
 * sends back. Returns 0 once every service is healthy, leaving the supervisor running; on failure the
 * supervisor has stopped everything before this reports it.
 */
export async function upDetached(
  supervisor: SupervisorProcess,
  options: UpOptions & { loaded: LoadedConfig },
  layout: StateLayout,
  io: CliIO,
): Promise<number> {
  const { child, log: supervisorLog } = supervisor;
  const send = (message: ToSupervisor) => child.connected && child.send(message);
  // The supervisor may die at any moment, even while the ports are allocated.
  const crashed = supervisor.exited.then(({ code, signal }): Outcome => ({ type: "crashed", code, signal }));

  let planned;
  try {
    planned = await planStack({ ...options, stateDir: layout.root, lockOwner: identify(child.pid ?? 0) });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  timing("ports");
  reportPlanned(io, planned.warnings, planned.info);

  const listeners = new Set<StackListener>();
  const screen = new Screen(io.stdout, io.stderr);
  const progress = new StartProgress(planned.plan.services, (listener) => listeners.add(listener), screen, wantsFancyProgress(io));
  const drawing = progress.run();
  const onSignal = () => send({ type: "stop" });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const outcome = await Promise.race([
    crashed,
    new Promise<Outcome>((resolve) => {
      child.on("message", (message: FromSupervisor) => {
        if (message.type === "event") {
          if (message.event.type === "spawned") timing("spawn");
          for (const listener of listeners) listener(message.event);
        } else {
          if (message.type === "ready") timing("healthy");
          resolve(message);
        }
      });
      send({ type: "start", plan: planToJson(planned.plan), stateDir: layout.root });
    }),
  ]);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  progress.finish(outcome.type === "failed" ? "failed" : "stopped");
  await drawing;

  switch (outcome.type) {
    case "ready":
      reportReady(io, outcome.services, (text) => io.stdout.write(text));
      io.stderr.write(colors.dim(`Running in the background (supervisor pid ${child.pid}): \`portmate ps\`, \`portmate logs -f\`, \`portmate down\`.\n`));
      child.disconnect();
      child.unref();
      return ExitCode.ok;
    case "stopped":
      // Exit 0 from `up -d` means the stack is up: it is not.
      throw new PortmateError("stopped before the stack was ready", ExitCode.serviceFailed);
    case "failed":
      throw fromWire(outcome.error);
    case "crashed":
      // What it started before it died is stopped here, as `portmate down` would.
      await stopStacks(
        layout,
        recordedStacks(layout, { project: planned.config.project }).filter(({ record }) => record.supervisor.pid === child.pid),
        { warn: (message) => warn(io, message) },
      );
      await planned.allocation.release();
      throw new PortmateError(
        `the supervisor ${outcome.signal ? `was killed by ${outcome.signal}` : `exited unexpectedly (code ${outcome.code ?? "?"})`} before the stack was up; what it had started is stopped`,
        ExitCode.serviceFailed,
        [`its log: ${supervisorLog}`],
      );
  }
}
