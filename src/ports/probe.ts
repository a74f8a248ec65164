import { connect, createServer, type AddressInfo } from "node:net";

/** What binding a port on one address tells. */
type BindOutcome = "free" | "taken" | "no-family";

/** Error codes that mean the address family itself is missing (no IPv6 on this host), not that the port is taken. */
const NO_FAMILY = new Set(["EAFNOSUPPORT", "EADDRNOTAVAIL", "EPROTONOSUPPORT"]);

/**
 * Linux refuses a dual-stack bind of `::` when the port is held on any address of either family (IPv4
 * sockets count as v4-mapped IPv6 addresses in its conflict check), so there one bind verifies both.
 * Other systems are more lenient, so there `0.0.0.0` is bound as well.
 */
const DUAL_STACK_COVERS_IPV4 = process.platform === "linux";

let ipv6Missing = false;

/**
 * Whether to bind `::` by name. Unnamed, Node binds it without dns.lookup, whose first use of Node's IPv6
 * pattern costs 3-6 ms, on the way to a stack's first service; but on a taken port Node then tries `0.0.0.0`
 * as well, a second bind. Named from the first taken port on: a scan through a busy range is then one bind per
 * port, for the pattern's cost once.
 */
let nameTheHost = false;

/**
 * Whether `port` can be bound right now on every IPv6 address (`::`) and every IPv4 address (`0.0.0.0`), so a
 * service is free to listen on any of them. A host without IPv6 is checked on IPv4 alone.
 */
export async function isPortFree(port: number): Promise<boolean> {
  if (!ipv6Missing) {
    let v6 = await bind(port, nameTheHost ? "::" : undefined);
    // Bound on IPv4 only: either this host has no IPv6, or `::` is taken; only binding `::` by name tells which.
    if (v6 === "no-family" && !nameTheHost) v6 = await bind(port, "::");
    if (v6 === "taken") {
      nameTheHost = true;
      return false;
    }
    if (v6 === "free" && DUAL_STACK_COVERS_IPV4) return true;
    if (v6 === "no-family") ipv6Missing = true;
  }
  return (await bind(port, "0.0.0.0")) === "free";
}

/**
 * Binds `port` on `host`, or without a host on `::` as Node does then: straight to the socket, while a host, even
 * `::`, goes through dns.lookup and Node's IPv6 pattern, whose first use costs milliseconds on the way to the
 * first service. Without a host Node falls back to `0.0.0.0` when `::` cannot be bound (for whatever reason):
 * that counts as `no-family` here, for the caller to ask again by name.
 */
function bind(port: number, host: string | undefined): Promise<BindOutcome> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(NO_FAMILY.has(error.code ?? "") ? "no-family" : "taken"));
    const listening = () => {
      const { family } = server.address() as AddressInfo;
      server.close(() => resolve(host === undefined && family !== "IPv6" ? "no-family" : "free"));
    };
    server.listen({ port, ...(host === undefined ? {} : { host }), ipv6Only: false, exclusive: true }, listening);
  });
}

/** Whether something accepts connections on `port` on the IPv4 or IPv6 loopback: is a service still listening. */
export async function acceptsConnections(port: number): Promise<boolean> {
  for (const host of ["127.0.0.1", "::1"]) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return true;
  }
  return false;
}
