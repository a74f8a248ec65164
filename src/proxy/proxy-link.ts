import { connect, type Socket } from "node:net";
import type { StateLayout } from "../state/paths.js";
import { ensureProxy } from "./ensure-proxy.js";
import { proxyControlPath } from "./proxy-record.js";

/** Pause before a dead proxy is started again, plus up to as much at random (several stacks may notice at once). */
const RESTART_DELAY_MS = 100;
/** Tries to start a dead proxy again before giving up (then `portmate proxy start` or the next `up` does). */
const RESTART_TRIES = 5;

/**
 * A stack's hold on the local proxy: while it is open the proxy does not end for want of use, and when the proxy
 * dies (killed, crashed) without saying `bye`, it is started again on the same port, so the stack's names come
 * back by themselves. `portmate proxy stop` says `bye`: then it stays stopped.
 */
export class ProxyLink {
  private socket: Socket | undefined;
  private closed = false;
  private tries = 0;

  private constructor(
    private readonly layout: StateLayout,
    private readonly port: number,
    private readonly onRestart: (message: string) => void,
  ) {}

  static open(layout: StateLayout, port: number, onRestart: (message: string) => void = () => {}): ProxyLink {
    const link = new ProxyLink(layout, port, onRestart);
    link.connect();
    return link;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private connect(): void {
    if (this.closed) return;
    let bye = false;
    const socket = connect(proxyControlPath(this.layout));
    this.socket = socket;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      this.tries = 0;
      socket.write("hold\n");
    });
    socket.on("data", (data: string) => {
      if (data.includes("bye")) bye = true;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.closed || bye) return;
      const timer = setTimeout(() => void this.restart(), RESTART_DELAY_MS + Math.random() * RESTART_DELAY_MS);
      timer.unref();
    });
    socket.unref();
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    try {
      const { started } = await ensureProxy(this.layout, { exact: this.port });
      if (started) this.onRestart(`the local proxy had stopped; started it again on port ${this.port}`);
    } catch (error) {
      if (++this.tries >= RESTART_TRIES) return this.onRestart(`the local proxy stopped and cannot start again: ${(error as Error).message}`);
    }
    this.connect();
  }
}
