// One allocation contender of bench/run.mjs, in a process of its own: on each message {count, from, to} it
// allocates once and answers {elapsed, ports}. Separate processes keep the contenders' JIT and garbage apart.
import { createServer } from "node:net";
import detectPort from "detect-port";
import getPort, { clearLockedPorts, portNumbers } from "get-port";
import { getPort as getPortPlease } from "get-port-please";
import portfinder from "portfinder";
import { allocatePorts } from "../dist/ports/allocate.js";

/** Binds `port` on `host` (none: `::`, falling back to `0.0.0.0`); resolves with the family bound, or false. */
function bindOnce(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, ipv6Only: false, exclusive: true }, () => {
      const { family } = server.address();
      server.close(() => resolve(family));
    });
  });
}

let nameTheHost = false;

/**
 * The binds portmate's probe makes (see src/ports/probe.ts): `::` without naming it, by name if that fell back,
 * and by name from the first taken port on.
 */
async function bindsFree(port) {
  let family = await bindOnce(port, nameTheHost ? "::" : undefined);
  if (family === "IPv4" && !nameTheHost) family = await bindOnce(port, "::");
  if (family === false) nameTheHost = true;
  return family !== false;
}

/** Each contender returns `count` distinct ports from [from, to] (or beyond, when it gives up on the range). */
export const allocators = {
  portmate: async (count, from, to) => {
    const requests = Array.from({ length: count }, (_, index) => ({ key: String(index), label: String(index) }));
    const allocation = await allocatePorts(requests, { range: { from, to } });
    await allocation.release();
    return [...allocation.ports.values()];
  },
  "get-port (loop, exclude)": async (count, from, to) => {
    const ports = [];
    for (let index = 0; index < count; index++) ports.push(await getPort({ port: portNumbers(from, to), exclude: ports }));
    clearLockedPorts();
    return ports;
  },
  "get-port-please": async (count, from, to) => {
    const ports = [];
    let start = from;
    for (let index = 0; index < count; index++) {
      const port = await getPortPlease({ portRange: [start, to], random: false });
      ports.push(port);
      start = port + 1;
    }
    return ports;
  },
  portfinder: (count, from, to) => portfinder.getPortsPromise(count, { port: from, stopPort: to }),
  "detect-port": async (count, from) => {
    const ports = [];
    let start = from;
    for (let index = 0; index < count; index++) {
      const port = await detectPort(start);
      ports.push(port);
      start = port + 1;
    }
    return ports;
  },
  // The floor: the bind portmate's probe makes on Linux (`::` dual-stack, which the kernel refuses when the
  // port is held on any IPv4 or IPv6 address), one candidate after another, with no allocator around it.
  "bare bind loop (floor)": async (count, from, to) => {
    const ports = [];
    for (let port = from; port <= to && ports.length < count; port++) if (await bindsFree(port)) ports.push(port);
    return ports;
  },
};

const allocate = allocators[process.argv[2]];
if (!allocate) throw new Error(`unknown contender ${process.argv[2]}`);
process.on("message", async ({ count, from, to }) => {
  const started = performance.now();
  const ports = await allocate(count, from, to);
  process.send({ elapsed: performance.now() - started, ports });
});
