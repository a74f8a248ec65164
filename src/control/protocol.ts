/** What `portmate down` asks a running supervisor over its control socket: one JSON line each way. */
export interface StopRequest {
  op: "stop";
  /** Instances to stop; null for all. */
  instances: number[] | null;
  /** Overrides the services' stop_timeout (`down -t`), in ms. */
  timeoutMs: number | null;
  /** SIGKILL at once. */
  force: boolean;
}

/**
 * What `portmate restart` asks: restart services (by id, `backend#2`), on new ports with `newPort`; with no
 * services, every service of `instance`, in start order.
 */
export interface RestartRequest {
  op: "restart";
  services: string[];
  instance?: number;
  newPort: boolean;
}

/** What `portmate stop SVC…` asks: stop services (by id), and with `withDependents` those that depend on them. */
export interface StopServicesRequest {
  op: "stop-services";
  services: string[];
  withDependents: boolean;
  /** Overrides the services' stop_timeout, in ms. */
  timeoutMs: number | null;
}

/** What `portmate start` asks: start services (by id) that are not running; none named: every one of `instance` that is not. */
export interface StartServicesRequest {
  op: "start-services";
  services: string[];
  instance?: number;
}

/**
 * What `portmate up` asks a running stack: read its config again and apply what changed; `services` named on
 * its command line join the ones the stack runs (a `disabled` one, say).
 */
export interface ReconfigureRequest {
  op: "reconfigure";
  services?: string[];
  /** `-n`: instances the stack should have; more than it has adds them. */
  instances?: number;
}

export type ControlRequest = StopRequest | RestartRequest | StopServicesRequest | StartServicesRequest | ReconfigureRequest;

/** Every request a supervisor answers. */
export const CONTROL_OPS: ReadonlyArray<ControlRequest["op"]> = ["stop", "restart", "stop-services", "start-services", "reconfigure"];

/** The answer: done (with what the request reports, if anything), or why not. */
export type ControlReply = { ok: true; result?: unknown } | { ok: false; error: string };

/** Longest path a Unix socket can have on Linux (108 bytes with the final NUL). */
export const MAX_SOCKET_PATH = 107;
