// When a process counts as gone (src/process/process-tree.ts): its main thread turns zombie as soon as it exits,
// while Node's other threads may still be finishing, its listening socket still open and accepting. Gone means
// every thread is, so that a port a stopped service held is closed by the time portmate says it stopped.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { isGone } from "../../src/process/process-tree.js";
import { onCleanup, pidGone, waitUntil } from "../support/helpers.js";

/** A Node server on a free loopback port that exits on SIGTERM, as most services do; resolves with its pid and port. */
async function server(): Promise<{ pid: number; port: number }> {
  const script = `const s = require("node:net").createServer(() => {}); s.listen(0, "127.0.0.1", () => console.log(s.address().port)); process.on("SIGTERM", () => process.exit(0));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"] });
  onCleanup(async () => {
    child.kill("SIGKILL");
    await waitUntil(() => pidGone(child.pid as number), "the server to go");
  });
  const port = await new Promise<number>((resolve) => child.stdout.once("data", (data) => resolve(Number.parseInt(String(data), 10))));
  return { pid: child.pid as number, port };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe.runIf(process.platform === "linux")("a process that exits", () => {
  it("is gone only once its listening socket is closed, however soon it is looked at", { timeout: 60_000 }, async () => {
    // The window is a few milliseconds wide: without looking at every thread it was hit in about a third of rounds.
    for (let round = 0; round < 20; round++) {
      const { pid, port } = await server();
      expect(await accepts(port)).toBe(true);
      process.kill(pid, "SIGTERM");
      while (!isGone(pid)) await new Promise((resolve) => setImmediate(resolve));
      expect(await accepts(port), `round ${round}: gone, but port ${port} still accepts`).toBe(false);
    }
  });
});
