/** Where a service is in its life. */
export type ServiceStatus = "pending" | "starting" | "healthy" | "unhealthy" | "restarting" | "exited" | "stopping" | "stopped" | "failed" | "skipped";

/**
 * The statuses a service may go to from each status; any other change is a bug in portmate. A service is
 * marked `failed` by the supervisor when its trouble fails the stack's start, whatever it was doing then: even
 * stopping or stopped, when a stop raced that failure.
 */
export const TRANSITIONS: Readonly<Record<ServiceStatus, readonly ServiceStatus[]>> = {
  // Launched; or never, because what it depends on cannot be met, or a check before its launch failed.
  pending: ["starting", "skipped", "failed"],
  // `unhealthy`: it missed its check after a restart or a replacement, and is left running.
  starting: ["healthy", "unhealthy", "exited", "stopping", "failed"],
  // `unhealthy`: found listening, but on none of its ports.
  healthy: ["unhealthy", "exited", "stopping", "failed"],
  // `healthy`: its liveness check passes again.
  unhealthy: ["healthy", "exited", "stopping", "failed"],
  // Launched again (a port that was stolen moved, or it is replaced), or waiting out its restart delay.
  exited: ["starting", "restarting", "failed"],
  restarting: ["starting", "stopping"],
  // Replaced after a launch that failed; stopped while its process still runs.
  failed: ["starting", "stopping"],
  stopping: ["stopped", "failed"],
  stopped: ["failed"],
  skipped: [],
};

/** Whether a service may go from `from` to `to` (see TRANSITIONS). */
export function canChange(from: ServiceStatus, to: ServiceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws when `service` may not go from `from` to `to`: the caller has a bug, the user can do nothing about it. */
export function checkTransition(service: string, from: ServiceStatus, to: ServiceStatus): void {
  if (!canChange(from, to)) throw new Error(`${service} cannot go from ${from} to ${to}: no such change of status`);
}

/** Whether a run in this status is up: its exit makes it `exited`. */
export function isUp(status: ServiceStatus): boolean {
  return status === "starting" || status === "healthy" || status === "unhealthy";
}

/**
 * Why a service's run ended or is being ended. Portmate's doing: `stopped` (for good: no run follows) and
 * `replaced` (a new run takes its place: `portmate restart`, a port that moved). The service's own doing:
 * `finished` (a one-off task that did its job) and `unexpected` (anything else: a crash, a server that quit).
 * `unresponsive`: portmate stopped it for failing its liveness check, so that its restart policy restarts it:
 * a failure like a crash, whatever code it exits with.
 */
export type ExitReason = "stopped" | "replaced" | "finished" | "unexpected" | "unresponsive";

/** Whether portmate ended the run: such an exit is never a crash and never restarted. */
export function isRequested(reason: ExitReason): boolean {
  return reason === "stopped" || reason === "replaced";
}

/** Whether nothing went wrong: a stop portmate asked for, or a one-off task that did its job. */
export function isExpected(reason: ExitReason): boolean {
  return reason === "stopped" || reason === "replaced" || reason === "finished";
}

/**
 * Why a run ended that portmate did not end: a one-off task (`oneOff`: no health check, or others wait for it
 * to complete) that exited with code 0 finished; any other exit is unexpected.
 */
export function ownExitReason(code: number | null, oneOff: boolean): ExitReason {
  return code === 0 && oneOff ? "finished" : "unexpected";
}
