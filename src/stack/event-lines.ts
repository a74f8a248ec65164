import { basename } from "node:path";
import { formatDuration } from "../util/duration.js";
import type { ServiceInfo } from "./stack.js";
import { describeExit, describePortEvent, type StackEvent } from "../supervise/events.js";
import { formatPorts } from "./format-ports.js";

/** `exited with code 1; restarting in 2.0s`: an exit as the output shows it, with what happens next. */
export function describeExitEvent(event: Extract<StackEvent, { type: "exited" }>): string {
  const exit = event.unresponsive ? `was stopped for failing its liveness check (${describeExit(event.status)})` : describeExit(event.status);
  if (event.restartInMs !== undefined) return `${exit}; restarting in ${formatDuration(event.restartInMs)}`;
  if (event.gaveUpAfter !== undefined) return `${exit}; not restarted again after ${event.gaveUpAfter} restarts in a row`;
  return exit;
}

/** `portmate.yaml changed: applying it`, its error and that nothing changed, or how many services were left alone. */
export function describeConfigEvent(event: Extract<StackEvent, { type: "config" }>): string | undefined {
  const file = basename(event.file);
  switch (event.state) {
    case "changed":
      return `${file} changed: applying it`;
    case "invalid":
      return `${file} is not valid now; the stack runs on as it was:\n${event.error ?? ""}`;
    case "failed":
      return `${file} could not be applied (${event.error ?? "?"}); the stack runs on as it was`;
    case "applied":
      return event.unchanged ? `${file} applied; ${event.unchanged} ${event.unchanged === 1 ? "service" : "services"} unchanged` : `${file} applied`;
  }
}

/** `src/app.py changed; restarting`, `3 files changed (src/a.py, src/b.py, …); rebuilding`, or why nothing was done. */
export function describeWatchEvent(event: Extract<StackEvent, { type: "watch" }>): string {
  const [first, second] = event.files;
  const files =
    event.files.length === 1 ? `${first} changed` : `${event.files.length} files changed (${first}, ${second}${event.files.length > 2 ? ", …" : ""})`;
  if (event.failed !== undefined) return `${files}; not restarted: ${event.failed}`;
  const next =
    event.action === "signal" ? `sending ${event.signal ?? "its signal"}` : event.action === "rebuild" ? "rebuilding, then restarting" : "restarting";
  return `${files}; ${next}`;
}

/** A tunnel event once the stack runs (it dropped, it is open again), as a line of the service's output; else undefined. */
export function describeTunnelEvent(event: Extract<StackEvent, { type: "tunnel" }>): string | undefined {
  switch (event.state) {
    case "open":
      return `tunnel open again: ${event.url} is public`;
    case "dropped":
      return `tunnel dropped (${event.reason}); opening it again`;
    case "failed":
      return `tunnel failed: ${event.reason}${event.retrying ? "; trying again" : ""}`;
    default:
      return undefined;
  }
}

/**
 * What portmate says, as a line of its own (`portmate | …`), about an event of a running stack: a restart
 * (`backend restarted on port 8004 (pid 1234)`), an exit, a port that moved, a tunnel that dropped, a service
 * that could not be stopped. Undefined for what is no news (output, exits portmate asked for, health checks).
 * `service` gives the service as it is now (its ports after a move).
 */
export function describeStackEvent(event: StackEvent, service: (id: string) => ServiceInfo | undefined): string | undefined {
  switch (event.type) {
    case "spawned": {
      const current = service(event.service);
      const ports = current ? formatPorts(current) : "-";
      return `${event.service} restarted${ports === "-" ? "" : ` on port ${ports}`} (pid ${event.pid})`;
    }
    case "healthy":
      if (event.recovered) return `${event.service} is healthy again: its liveness check passes`;
      return `${event.service} is healthy again (ready in ${formatDuration(event.afterMs)})`;
    case "exited":
      // Exits portmate asked for (Ctrl-C, `portmate down`, a restart) are told by what asked.
      return event.requested ? undefined : `${event.service} ${describeExitEvent(event)}`;
    case "unhealthy":
      return `${event.service} is unhealthy: ${event.reason}`;
    case "watch":
      return `${event.service}: ${describeWatchEvent(event)}`;
    case "config":
      return describeConfigEvent(event);
    case "reconfigured":
      return event.action === "removed"
        ? `${event.service} removed from the config: stopping it`
        : event.action === "added"
          ? `${event.service} added to the config: starting it`
          : event.action === "restarted"
            ? `${event.service} changed (${event.detail ?? "?"}): restarting it`
            : `${event.service} failed to come up after the change: ${event.detail ?? ""}`;
    case "requested":
      return `${event.service}: ${event.action === "stop" ? "stopping" : "starting"} (\`portmate ${event.action}\`)`;
    case "port":
      return `${event.service}: ${describePortEvent(event)}`;
    case "tunnel": {
      const line = describeTunnelEvent(event);
      return line === undefined ? undefined : `${event.service}: ${line}`;
    }
    case "stopped":
      if (event.survivors.length) return `${event.service} could not be killed: pids ${event.survivors.join(", ")} remain`;
      return event.forced ? `${event.service} did not stop in time: killed` : undefined;
    default:
      return undefined;
  }
}
