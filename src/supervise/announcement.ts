import { formatDuration } from "../util/duration.js";
import { HealthTimeoutError } from "./health.js";

/** A port a service chose and printed on stdout: `{"type":"port_info","port":8009,"url":"…"}`. */
export interface Announcement {
  port: number;
  url?: string;
}

/** `{"type":"port_info","port":8009,"url":"…"}` on a line of its own; anything else is ordinary output. */
export function parseAnnouncement(line: string): Announcement | undefined {
  const text = line.trim();
  if (!text.startsWith("{") || !text.includes("port_info")) return undefined;
  try {
    const data = JSON.parse(text) as { type?: unknown; port?: unknown; url?: unknown };
    if (data.type !== "port_info" || !Number.isInteger(data.port) || (data.port as number) < 1 || (data.port as number) > 65535) return undefined;
    const announcement: Announcement = { port: data.port as number };
    if (typeof data.url === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(data.url)) announcement.url = data.url;
    return announcement;
  } catch {
    return undefined;
  }
}

/** What waiting for an announcement needs from the service's run. */
export interface AnnouncementSource {
  /** What the run printed on stdout so far: it may have announced before anyone listened. */
  printed: readonly string[];
  /** Hands every later stdout announcement to `listener`; returns the function that stops. */
  listen: (listener: (announcement: Announcement) => void) => () => void;
  deadline: number;
  /** The service's health timeout, for the message. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** The first announcement of a run; rejects with HealthTimeoutError at the deadline, or on abort. */
export function waitForAnnouncement(source: AnnouncementSource): Promise<Announcement> {
  return new Promise((resolve, reject) => {
    let stopListening = () => {};
    const done = () => {
      clearTimeout(timer);
      source.signal.removeEventListener("abort", onAbort);
      stopListening();
    };
    const onAbort = () => {
      done();
      reject(source.signal.reason);
    };
    const timer = setTimeout(
      () => {
        done();
        const within = formatDuration(source.timeoutMs);
        reject(new HealthTimeoutError(`did not announce its port within ${within}: it must print a line such as {"type":"port_info","port":8009} on stdout`));
      },
      Math.max(0, source.deadline - Date.now()),
    );
    const found = (announcement: Announcement) => {
      done();
      resolve(announcement);
    };
    const early = source.printed.map(parseAnnouncement).find((announcement) => announcement !== undefined);
    if (early) return found(early);
    if (source.signal.aborted) return onAbort();
    source.signal.addEventListener("abort", onAbort, { once: true });
    stopListening = source.listen(found);
  });
}
