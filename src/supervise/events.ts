import type { ExitStatus, OutputStream } from "./spawn.js";

/** Where a service is in its life. */
export type ServiceStatus = "pending" | "starting" | "healthy" | "unhealthy" | "restarting" | "exited" | "stopping" | "stopped" | "failed" | "skipped";

/** What a running stack reports, in the order it happens. `service` is the display id (`backend#2`). */
export type StackEvent =
  | { type: "spawned"; service: string; pid: number }
  | { type: "healthy"; service: string; pid: number; afterMs: number }
  | { type: "output"; service: string; stream: OutputStream; line: string }
  | {
      type: "exited";
      service: string;
      status: ExitStatus;
      /** The exit was portmate's doing (the stack is stopping). */
      requested: boolean;
      /** Nothing went wrong: a requested stop, or a one-off task that finished with code 0. */
      expected: boolean;
      /** Set when its restart policy starts it again after this many ms. */
      restartInMs?: number;
      /** Set when its restart policy would restart it but it has been restarted this many times in a row. */
      gaveUpAfter?: number;
    }
  | { type: "unhealthy"; service: string; reason: string }
  | { type: "failed"; service: string; reason: string }
  | { type: "skipped"; service: string }
  | { type: "stopping"; service: string }
  | { type: "stopped"; service: string; forced: boolean; survivors: number[] };

export type StackListener = (event: StackEvent) => void;

/** `code 1`, `signal SIGKILL`: how an exit reads in messages. */
export function describeExit(status: ExitStatus): string {
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code ?? "?"}`;
}
