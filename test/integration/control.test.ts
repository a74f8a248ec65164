import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { RequestRefusedError, sendRequest } from "../../src/control/client.js";
import { ControlServer } from "../../src/control/server.js";
import type { ControlRequest } from "../../src/control/protocol.js";
import { onCleanup } from "../support/helpers.js";

/** A control server in a fresh folder whose handler answers with what it was asked, after `delayMs`. */
async function echoServer(delayMs = 0): Promise<ControlServer> {
  const path = join(mkdtempSync(join(tmpdir(), "portmate-control-")), "test.sock");
  const server = await ControlServer.listen(path, async (request: ControlRequest) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (request.op === "restart") throw new Error("no such service");
    return request.op;
  });
  onCleanup(() => server.close());
  return server;
}

describe("the control socket", () => {
  it("answers requests, says no with the handler's reason, and survives clients that reset the connection", async () => {
    const server = await echoServer(50);
    expect(await sendRequest(server.path, { op: "stop", instances: null, timeoutMs: null, force: false }, 5000)).toBe("stop");
    await expect(sendRequest(server.path, { op: "restart", services: ["x"], newPort: false }, 5000)).rejects.toThrow(RequestRefusedError);

    // Clients that go away abruptly: before asking, right after asking, and after the answer came but unread
    // (which resets the connection under the server). The server must live on through all of them.
    for (const leave of ["before asking", "right after asking", "with the answer unread"]) {
      const socket = connect(server.path);
      socket.on("error", () => undefined);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.pause();
      if (leave !== "before asking") socket.write(`${JSON.stringify({ op: "stop", instances: null, timeoutMs: null, force: false })}\n`);
      if (leave === "with the answer unread") await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
    }
    expect(await sendRequest(server.path, { op: "stop", instances: null, timeoutMs: null, force: false }, 5000)).toBe("stop");
  });

  it("rejects, never crashes, when the server goes away while the request is on its way", async () => {
    // A real process that accepts, leaves the request unread and exits: the connection is reset under the client.
    const path = join(mkdtempSync(join(tmpdir(), "portmate-control-")), "rude.sock");
    const rude = execa("node", [
      "-e",
      `require("net").createServer({ pauseOnConnect: true }, () => setTimeout(() => process.exit(0), 200)).listen(${JSON.stringify(path)}, () => console.log("ready"))`,
    ]);
    onCleanup(async () => {
      rude.kill("SIGKILL");
      await rude.catch(() => undefined);
    });
    await new Promise((resolve) => rude.stdout?.once("data", resolve));
    await expect(sendRequest(path, { op: "stop", instances: null, timeoutMs: null, force: false }, 5000)).rejects.toThrow(/ECONNRESET|closed the connection/);
  });
});
