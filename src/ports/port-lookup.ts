// What is known of who holds a port: the answer of whoHolds (port-holders.ts), from /proc or lsof.

/** One process holding a listening socket on the port. */
export interface PortHolder {
  pid: number;
  /** Full command line (argv joined with spaces), when readable; where only lsof can tell and ps cannot, its command name. */
  command: string | undefined;
  /** The process's effective uid, which may not be the socket's: a server can bind as root, then drop privileges. */
  uid: number | undefined;
  /** The name for `uid`, if it has one. */
  user: string | undefined;
  /** When the process started, to tell a long-forgotten server from one started a moment ago. */
  startedAt: Date | undefined;
  /** Local addresses it listens on for this port, e.g. ["0.0.0.0"], ["::"], ["127.0.0.1", "::1"]. */
  addresses: string[];
}

/**
 * A listening socket on the port whose process cannot be seen: another user's, with no permission to look at
 * its open files (or one in another pid namespace, such as a container's).
 */
export interface HiddenHolder {
  /** The uid that created the socket, which the kernel tells everyone. */
  uid: number;
  /** The name for `uid`, if it has one. */
  user: string | undefined;
  /** The local address it listens on. */
  address: string;
}

/** Who holds one port. */
export interface PortLookup {
  port: number;
  /** The processes seen holding it, by pid; a socket shared by several (forked workers) lists each. */
  holders: PortHolder[];
  /** Listening sockets on it whose process cannot be seen; always empty with lsof, which does not list them. */
  hidden: HiddenHolder[];
  /** How it was found: "proc" (Linux kernel tables), "lsof", or "none" (no way to tell on this system). */
  method: "proc" | "lsof" | "none";
}
