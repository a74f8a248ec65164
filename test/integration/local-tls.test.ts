// The local CA's leaves served by a real TLS server (HTTP/2 and HTTP/1.1, by server name) to real clients.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { loadLocalTls } from "../../src/proxy/tls/index.js";
import { stateLayout } from "../../src/state/paths.js";
import { onCleanup } from "../support/helpers.js";
import { localTlsServer } from "../support/tls-server.js";

function tempLayout() {
  const root = mkdtempSync(join(tmpdir(), "portmate-tls-"));
  onCleanup(() => rmSync(root, { recursive: true, force: true }));
  return stateLayout(root);
}

/** Connects as a client would, with `servername` sent by SNI; the certificate it got, or the error it failed with. */
function handshake(
  port: number,
  servername: string | undefined,
  ca?: string,
  anyName = false,
): Promise<{ cert: PeerCertificate; alpn: string | false | null } | Error> {
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      ALPNProtocols: ["h2", "http/1.1"],
      ...(servername ? { servername } : {}),
      ...(ca ? { ca } : {}),
      ...(anyName ? { checkServerIdentity: () => undefined } : {}),
    });
    socket.once("secureConnect", () => {
      resolve({ cert: socket.getPeerCertificate(), alpn: socket.alpnProtocol });
      socket.end();
    });
    socket.once("error", (error) => {
      resolve(error);
      socket.destroy();
    });
  });
}

describe("local TLS", () => {
  it("serves each name its own leaf of the CA, which a client trusting the CA accepts", async () => {
    const started = performance.now();
    const local = await loadLocalTls(tempLayout());
    expect(performance.now() - started).toBeLessThan(2000);
    const port = await localTlsServer(local);
    for (const name of ["ui.demo.localhost", "ui-2.fix.demo.localhost"]) {
      const result = await handshake(port, name, local.caPem);
      if (result instanceof Error) throw result;
      expect(result.cert.subjectaltname).toBe(`DNS:${name}`);
      expect(result.alpn).toBe("h2");
      const cert = new X509Certificate(result.cert.raw);
      expect(cert.checkIssued(new X509Certificate(local.caPem))).toBe(true);
    }
  });

  it("fails a client that does not trust the CA, as for any unknown issuer", async () => {
    const local = await loadLocalTls(tempLayout());
    const port = await localTlsServer(local);
    const result = await handshake(port, "ui.demo.localhost");
    expect(result).toBeInstanceOf(Error);
    expect((result as NodeJS.ErrnoException).code).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });

  it("gives a client without SNI, or with a name outside localhost, the default leaf (localhost and loopback)", async () => {
    const local = await loadLocalTls(tempLayout());
    const port = await localTlsServer(local);
    // Without a name, Node checks the certificate against the address it connected to, 127.0.0.1: it passes.
    for (const [name, anyName] of [
      [undefined, false],
      ["example.com", true],
    ] as const) {
      const result = await handshake(port, name, local.caPem, anyName);
      if (result instanceof Error) throw result;
      expect(result.cert.subjectaltname).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    }
  });

  it("uses the same CA again, from its file", async () => {
    const layout = tempLayout();
    const first = await loadLocalTls(layout);
    const again = await loadLocalTls(layout);
    expect(again.caPem).toBe(first.caPem);
    expect(again.caFile).toBe(join(layout.root, "ca", "ca.pem"));
    expect(again.defaultContext.cert).toBe(first.defaultContext.cert);
  });
});
