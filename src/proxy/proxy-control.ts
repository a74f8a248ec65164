import { rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";

/** What `status` answers. */
export interface ProxyStatus {
  pid: number;
  port: number;
  startedAt: string;
  /** Names it routes now. */
  routes: Array<{ hostname: string; project: string; service: string; port: number | null; status: string }>;
  /** Stacks holding it (it ends once none does and no record has a name). */
  holders: number;
}

/**
 * The proxy's control socket (a Unix socket in the user's private state folder: no other user can reach it).
 * A line `status` is answered with the status as JSON; a line `hold` keeps the connection open: the proxy is
 * needed while it is, and tells it `bye` before it stops because it was asked to. A holder whose connection
 * closes without `bye` knows the proxy died, and starts it again.
 */
export class ProxyControl {
  private readonly holders = new Set<Socket>();

  private constructor(
    readonly path: string,
    private readonly server: Server,
  ) {}

  static async listen(path: string, status: () => ProxyStatus): Promise<ProxyControl> {
    rmSync(path, { force: true });
    let control: ProxyControl | undefined;
    const server = createServer((socket) => control?.serve(socket, status));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    control = new ProxyControl(path, server);
    return control;
  }

  get holderCount(): number {
    return this.holders.size;
  }

  /** Says `bye` to every holder (so none starts the proxy again) and stops listening. */
  close(): void {
    for (const socket of this.holders) socket.end("bye\n");
    this.server.close();
    rmSync(this.path, { force: true });
  }

  private serve(socket: Socket, status: () => ProxyStatus): void {
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.holders.delete(socket));
    const lines = createInterface({ input: socket });
    lines.on("error", () => undefined);
    lines.on("line", (line) => {
      if (line === "status") socket.end(`${JSON.stringify(status())}\n`);
      else if (line === "hold") this.holders.add(socket);
      else socket.end(`${JSON.stringify({ error: `unknown request ${JSON.stringify(line.slice(0, 40))}` })}\n`);
    });
  }
}
