/**
 * A way of holding a port for one run so that nobody else is handed it. The allocator asks every reservation in
 * turn before it even probes a port; a port any of them refuses is skipped.
 */
export interface PortReservation {
  /** Takes `port` for this run; false when someone else holds it. */
  claim(port: number): boolean | Promise<boolean>;
  /** Gives `port` back. Releasing a port not held is harmless. */
  release(port: number): void | Promise<void>;
}

const handedOut = new Set<number>();

/**
 * Ports handed out by this process and not yet released: never given twice within the process, even when
 * several stacks are allocated at the same instant (claiming is synchronous, so two allocations cannot interleave).
 */
export const processReservation = {
  claim(port: number): boolean {
    if (handedOut.has(port)) return false;
    handedOut.add(port);
    return true;
  },
  release(port: number): void {
    handedOut.delete(port);
  },
} satisfies PortReservation;

/** Takes `port` in every reservation, in order; when one refuses, gives back what the earlier ones took. */
export async function claimAll(reservations: readonly PortReservation[], port: number): Promise<boolean> {
  for (const [index, reservation] of reservations.entries()) {
    if (!(await reservation.claim(port))) {
      for (const earlier of reservations.slice(0, index)) await earlier.release(port);
      return false;
    }
  }
  return true;
}

/** Gives `port` back to every reservation. */
export async function releaseAll(reservations: readonly PortReservation[], port: number): Promise<void> {
  for (const reservation of reservations) await reservation.release(port);
}
