import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { CONTROL_OPS, MAX_SOCKET_PATH, type ControlReply, type ControlRequest } from "./protocol.js";

/** A supervisor's control socket: takes requests from `portmate down` and `portmate restart`, answers when they are done. */
export class ControlServer {
  private constructor(
    readonly path: string,
    private readonly server: Server,
  ) {}

  /** Listens on `path` (replacing a socket file a dead supervisor left there). */
  static async listen(path: string, handle: (request: ControlRequest) => Promise<unknown>): Promise<ControlServer> {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new Error(`the control socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes: set PORTMATE_STATE_DIR to a shorter folder`);
    }
    rmSync(path, { force: true });
    const server = createServer((socket) => serve(socket, handle));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    return new ControlServer(path, server);
  }

  /** Stops listening; resolves once the connections still open (an answer being sent) have ended. */
  close(): Promise<void> {
    rmSync(this.path, { force: true });
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function serve(socket: Socket, handle: (request: ControlRequest) => Promise<unknown>): void {
  socket.on("error", () => undefined); // the client went away: nothing to answer
  const lines = createInterface({ input: socket });
  // readline passes the socket's errors on: unheard, a client that resets the connection would crash the supervisor.
  lines.on("error", () => undefined);
  lines.once("line", (line) => {
    let reply: Promise<ControlReply>;
    try {
      const request = JSON.parse(line) as ControlRequest;
      if (!CONTROL_OPS.includes(request.op)) throw new Error(`unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
      reply = handle(request).then(
        (result) => ({ ok: true, result }),
        (error: unknown) => ({ ok: false, error: (error as Error).message }),
      );
    } catch (error) {
      reply = Promise.resolve({ ok: false, error: (error as Error).message });
    }
    void reply.then((answer) => socket.end(`${JSON.stringify(answer)}\n`));
  });
}
