import type { ServerResponse } from "node:http";

/** A page that has not read this much of its stream (a tab in the background, a stalled connection) is cut off; it reconnects and gets a fresh backlog. */
const MAX_UNREAD = 8 * 1024 * 1024;

/** A comment line this often keeps a page's stream open through proxies that close quiet connections. */
const HEARTBEAT_MS = 20_000;

/**
 * The pages connected to the dashboard, each by one stream of server-sent events: every change is pushed to
 * them as it happens, so that no page polls.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly onCount: (count: number) => void = () => {}) {
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes a page's request for events: answers with the stream, `first` events first. */
  add(res: ServerResponse, first: ReadonlyArray<[event: string, data: unknown]>): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
    for (const [event, data] of first) res.write(frame(event, data));
    this.clients.add(res);
    this.onCount(this.clients.size);
    res.on("close", () => {
      if (this.clients.delete(res)) this.onCount(this.clients.size);
    });
  }

  send(event: string, data: unknown): void {
    if (this.clients.size > 0) this.write(frame(event, data));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) {
      if (client.writableLength > MAX_UNREAD) client.destroy();
      else client.write(text);
    }
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
