// The check that a public URL reaches the service, against real local HTTP servers standing in for both sides.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { verifyTunnel } from "../../src/supervise/tunnel-verify.js";
import { onCleanup, randomRange } from "../support/helpers.js";

/** A loopback server on a port the OS chooses, closed after the test. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ port: number; url: string }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}` };
}

const soon = () => Date.now() + 1500;
const never = new AbortController().signal;

describe("verifying a tunnel", () => {
  it("passes when the public URL answers as the service does", async () => {
    const service = await serve((req, res) => res.end(`hello from ${req.url}`));
    expect(await verifyTunnel(service.url, service.port, "/health", soon(), never)).toEqual({ ok: true });
  });

  it("fails when the public URL reaches another server, saying how the answers differ", async () => {
    const service = await serve((_req, res) => res.end("the service"));
    const other = await serve((_req, res) => res.end("another one"));
    const result = await verifyTunnel(other.url, service.port, "/", soon(), never);
    expect(result).toEqual({
      ok: false,
      reason: `GET ${other.url}/ answered 200 with another body (11 bytes) than the service itself (11 bytes): the tunnel does not reach it`,
    });
  });

  it("fails when the public side does not answer, or answers another status", async () => {
    const service = await serve((_req, res) => res.end("ok"));
    const proxy = await serve((_req, res) => {
      res.statusCode = 502;
      res.end("bad gateway");
    });
    expect(await verifyTunnel(proxy.url, service.port, "/", soon(), never)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/answered 502, the service itself 200/),
    });
    const closed = randomRange(1).from;
    const nothing = await verifyTunnel(`http://127.0.0.1:${closed}`, service.port, "/", soon(), never);
    expect(nothing).toEqual({ ok: false, reason: `GET http://127.0.0.1:${closed}/ failed: ECONNREFUSED` });
  });

  it("accepts a page that changes between requests when status and content type agree", async () => {
    let count = 0;
    const service = await serve((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<p>request ${++count}</p>`);
    });
    expect(await verifyTunnel(service.url, service.port, "/", soon(), never)).toEqual({ ok: true });
    const json = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
    const result = await verifyTunnel(json.url, service.port, "/", soon(), never);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/\(application\/json\), the service itself 200 \(text\/html\)/) });
  });

  it("says when the service itself does not answer HTTP, so nothing can be checked", async () => {
    const service = await serve((_req, res) => res.end("ok"));
    const closed = randomRange(1).from;
    const result = await verifyTunnel(service.url, closed, "/", soon(), never);
    expect(result).toMatchObject({
      ok: false,
      reason: `the service itself does not answer GET http://127.0.0.1:${closed}/ (ECONNREFUSED), so the tunnel cannot be checked`,
    });
  });
});
