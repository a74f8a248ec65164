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

export type ControlReply = { ok: true } | { ok: false; error: string };

/** Longest path a Unix socket can have on Linux (108 bytes with the final NUL). */
export const MAX_SOCKET_PATH = 107;
