import type { UpWatch } from "../operations/up-detached.js";
import type { StackListener } from "../supervise/events.js";
import { StartProgress } from "./ui/progress.js";
import { Screen } from "./ui/screen.js";
import { reportPlanned, reportReady } from "./ui/stack-report.js";
import { colors, warn, wantsFancyProgress, type CliIO } from "./ui/terminal.js";
import { timing } from "./timing.js";

/**
 * What `portmate up -d` shows while its supervisor starts the stack (see operations/up-detached.ts): the same
 * progress as a foreground `up`, drawn from the events the supervisor sends back, then the table of services.
 * With `--json` only warnings, as the result is printed at the end.
 */
export function detachedProgress(io: CliIO, json: boolean): UpWatch {
  const listeners = new Set<StackListener>();
  let progress: StartProgress | undefined;
  let drawing: Promise<void> | undefined;
  let spawned = false;
  return {
    note: (line) => io.stderr.write(`${line}\n`),
    warn: (message) => warn(io, message),
    planned: (planned) => {
      timing("ports");
      reportPlanned(io, planned.warnings, planned.info);
      if (json) return;
      progress = new StartProgress(planned.plan.services, (listener) => listeners.add(listener), new Screen(io.stdout, io.stderr), wantsFancyProgress(io));
      drawing = progress.run();
    },
    event: (event) => {
      if (event.type === "spawned" && !spawned) {
        spawned = true;
        timing("spawn");
      }
      for (const listener of listeners) listener(event);
    },
    finished: async (outcome) => {
      if (outcome === "ready") timing("healthy");
      progress?.finish(outcome === "failed" ? "failed" : "stopped");
      await drawing;
    },
    ready: (services, supervisorPid) => {
      if (json) return;
      reportReady(io, services, (text) => io.stdout.write(text));
      io.stderr.write(colors.dim(`Running in the background (supervisor pid ${supervisorPid}): \`portmate ps\`, \`portmate logs -f\`, \`portmate down\`.\n`));
    },
  };
}

/** An abort signal for Ctrl-C (or SIGTERM) while a detached stack starts: its supervisor then stops it. */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.on("SIGINT", abort);
  process.on("SIGTERM", abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", abort);
      process.off("SIGTERM", abort);
    },
  };
}
