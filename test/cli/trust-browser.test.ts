// What `portmate trust` means to a real browser: Chromium, reading the NSS database of a throwaway HOME, loads
// https://ui.demo.localhost only while portmate's CA is trusted there, and over HTTP/2.
import { expect, it } from "vitest";
import { loadLocalTls } from "../../src/proxy/tls/index.js";
import { stateLayout } from "../../src/state/paths.js";
import { runCli } from "../support/helpers.js";
import { CERTUTIL, CHROMIUM, describeWith } from "../support/requirements.js";
import { localTlsServer } from "../support/tls-server.js";
import { sandbox } from "../support/trust-sandbox.js";
import { launchBrowser } from "../support/browser.js";

describeWith(CERTUTIL, "a browser and portmate trust", () => {
  describeWith(CHROMIUM, "Chromium", () => {
    it("refuses https://ui.demo.localhost before `portmate trust`, loads it over HTTP/2 after, and refuses it after --remove", async () => {
      const { root, home, state, env } = sandbox();
      const port = await localTlsServer(await loadLocalTls(stateLayout(state)));
      const url = `https://ui.demo.localhost:${port}/`;

      /** Loads the page in a new browser (Chromium reads the NSS database when it starts): its protocol, or the error. */
      const visit = async (): Promise<string> => {
        const browser = await launchBrowser({ home });
        try {
          const page = await browser.newPage();
          const response = await page.goto(url).catch((error: Error) => error);
          if (response instanceof Error) return response.message.split("\n")[0] ?? "";
          expect(await page.title()).toBe(`ui.demo.localhost:${port} over HTTP/2.0`);
          expect((await response?.securityDetails())?.subjectName).toBe("ui.demo.localhost");
          return await page.evaluate(() => (performance.getEntries()[0] as PerformanceNavigationTiming).nextHopProtocol);
        } finally {
          await browser.close();
        }
      };

      expect(await visit()).toContain("net::ERR_CERT_AUTHORITY_INVALID");
      const trusted = await runCli(["trust"], { cwd: root, env });
      expect(trusted.exitCode, trusted.all).toBe(0);
      expect(await visit()).toBe("h2");
      const removed = await runCli(["trust", "--remove"], { cwd: root, env });
      expect(removed.exitCode, removed.all).toBe(0);
      expect(await visit()).toContain("net::ERR_CERT_AUTHORITY_INVALID");
    }, 90_000);
  });
});
