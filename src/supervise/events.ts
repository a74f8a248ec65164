import type { ExitStatus, OutputStream } from "./spawn.js";

export type { ServiceStatus } from "./service-state.js";

/** What a running stack reports, in the order it happens. `service` is the display id (`backend#2`). */
export type StackEvent =
  | { type: "spawned"; service: string; pid: number }
  | {
      type: "healthy";
      service: string;
      pid: number;
      afterMs: number;
      /** Healthy again because its liveness check passes again (it was `unhealthy`), not a new run that is ready. */
      recovered?: boolean;
      /** What its passing check answered (`GET /health → 200`). */
      check?: string;
    }
  | { type: "output"; service: string; stream: OutputStream; line: string }
  | {
      type: "exited";
      service: string;
      status: ExitStatus;
      /** The exit was portmate's doing (the stack is stopping). */
      requested: boolean;
      /** Nothing went wrong: a requested stop, or a one-off task that finished with code 0. */
      expected: boolean;
      /** portmate stopped it because it failed its liveness check (it hung), so that it is restarted. */
      unresponsive?: boolean;
      /** Set when its restart policy starts it again after this many ms. */
      restartInMs?: number;
      /** Set when its restart policy would restart it but it has been restarted this many times in a row. */
      gaveUpAfter?: number;
    }
  | {
      type: "checking";
      service: string;
      /** What its health check got last, briefly (`GET /health → 404`, `connection refused on 8000`): sent when it changes. */
      check: string;
    }
  | { type: "unhealthy"; service: string; reason: string }
  | { type: "failed"; service: string; reason: string }
  | {
      type: "skipped";
      service: string;
      /** Why it was not started: `stopped` (the start was stopped), else what kept it from starting. */
      reason: string;
    }
  /**
   * Files of its `watch:` changed (relative to the config's folder): it is restarted, rebuilt then restarted,
   * or sent a signal, as `action` says; `failed` says why that did not happen (a rebuild that failed).
   */
  | { type: "watch"; service: string; files: string[]; action: "restart" | "rebuild" | "signal"; signal?: NodeJS.Signals; failed?: string }
  /**
   * The stack's config file (or an env file it reads): `changed` once saved; `invalid` (with the error, at its
   * position: nothing changed), or `failed` (valid, but it could not be applied: a strict port taken, say);
   * `applied` once every `reconfigured` event of the change is out. Of no service: `service` is "".
   */
  | { type: "config"; service: ""; file: string; state: "changed" | "invalid" | "failed" | "applied"; error?: string; unchanged?: number }
  /** A service added, removed, restarted because its settings changed, or that failed to come up after that. */
  | { type: "reconfigured"; service: string; action: "added" | "removed" | "restarted" | "failed"; detail?: string }
  /** `portmate stop` or `portmate start` (or the same call of the library) asked for this service. */
  | { type: "requested"; service: string; action: "stop" | "start" }
  | { type: "stopping"; service: string }
  | { type: "stopped"; service: string; forced: boolean; survivors: number[] }
  | {
      type: "tunnel";
      service: string;
      /** `open`: verified (or not asked to be) and public at `url`; `dropped`: it closed by itself and is reopened. */
      state: "opening" | "open" | "failed" | "dropped" | "closed";
      url?: string;
      /** The local port it forwards to. */
      port?: number;
      /** A request through `url` was answered as the service answers it. */
      verified?: boolean;
      /** Why it failed or dropped. */
      reason?: string;
      /** A failure while reopening a dropped tunnel: it is tried again. */
      retrying?: boolean;
    }
  | {
      type: "port";
      service: string;
      /** Which of its ports (`default` for `port:`). */
      name: string;
      port: number;
      /** The service's URL now. */
      url?: string;
      /** The port it had before. */
      previous?: number;
      /** `announced` by the service; `stolen` by another process as it started; changed by `restart --new-port`. */
      reason: "announced" | "stolen" | "restart";
      /** Who took it (stolen), or who else reserved it (announced), where known. */
      holder?: string;
      /** Services restarted so that they point at the new port. */
      restarting: string[];
    };

export type StackListener = (event: StackEvent) => void;

/** A port change as one line: `port 8001 was taken by pid 42 (python3 …); moved to 8007; restarting ui`. */
export function describePortEvent(event: Extract<StackEvent, { type: "port" }>): string {
  const which = event.name === "default" ? "port" : `port ${event.name}`;
  const restarting = event.restarting.length ? `; restarting ${event.restarting.join(", ")} so they use it` : "";
  switch (event.reason) {
    case "announced":
      return `announced ${which} ${event.port}${event.previous === undefined ? "" : ` (was ${event.previous})`}${event.holder ? ` (${event.holder} had reserved it)` : ""}${restarting}`;
    case "stolen":
      return `${which} ${event.previous} was taken${event.holder ? ` by ${event.holder}` : " by another process"} as it started; moved to ${event.port}${restarting}`;
    case "restart":
      return `${which} moved from ${event.previous} to ${event.port}${restarting}`;
  }
}

/** `code 1`, `signal SIGKILL`: how an exit reads in messages. */
export function describeExit(status: ExitStatus): string {
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code ?? "?"}`;
}
