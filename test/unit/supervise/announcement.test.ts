import { describe, expect, it } from "vitest";
import { parseAnnouncement, waitForAnnouncement, type Announcement } from "../../../src/supervise/announcement.js";

describe("port announcements", () => {
  it.each([
    ['{"type":"port_info","port":8009}', { port: 8009 }],
    ['  {"type":"port_info","port":8009,"url":"http://localhost:8009/app","pid":42}  ', { port: 8009, url: "http://localhost:8009/app" }],
    // A URL that is not one is left out; the port still counts.
    ['{"type":"port_info","port":8009,"url":"localhost:8009"}', { port: 8009 }],
    ['{"type":"port_info","port":0}', undefined],
    ['{"type":"port_info","port":70000}', undefined],
    ['{"type":"port_info","port":"8009"}', undefined],
    ['{"type":"status","port":8009}', undefined],
    ['{"type":"port_info","port":8009', undefined],
    ["listening on port_info 8009", undefined],
  ])("reads %s", (line, expected) => {
    expect(parseAnnouncement(line)).toEqual(expected);
  });

  it("takes an announcement printed before anyone listened, and fails at the deadline without one", async () => {
    const signal = new AbortController().signal;
    const none = () => () => {};
    const printed = ["starting", '{"type":"port_info","port":8123}'];
    await expect(waitForAnnouncement({ printed, listen: none, deadline: Date.now() + 1000, timeoutMs: 1000, signal })).resolves.toEqual({ port: 8123 });
    await expect(waitForAnnouncement({ printed: [], listen: none, deadline: Date.now() + 20, timeoutMs: 20, signal })).rejects.toThrow(
      'did not announce its port within 20ms: it must print a line such as {"type":"port_info","port":8009} on stdout',
    );
  });

  it("takes a later announcement, stops listening, and gives way to an abort", async () => {
    let listener: ((announcement: Announcement) => void) | undefined;
    let stopped = 0;
    const listen = (next: (announcement: Announcement) => void) => {
      listener = next;
      return () => void stopped++;
    };
    const waiting = waitForAnnouncement({ printed: [], listen, deadline: Date.now() + 1000, timeoutMs: 1000, signal: new AbortController().signal });
    listener?.({ port: 9001 });
    await expect(waiting).resolves.toEqual({ port: 9001 });
    expect(stopped).toBe(1);
    const abort = new AbortController();
    const aborted = waitForAnnouncement({ printed: [], listen, deadline: Date.now() + 1000, timeoutMs: 1000, signal: abort.signal });
    abort.abort(new Error("the service exited"));
    await expect(aborted).rejects.toThrow("the service exited");
    expect(stopped).toBe(2);
  });
});
