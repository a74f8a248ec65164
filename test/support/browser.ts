// A headless Chromium for the browser tests: Debian's, driven by playwright-core, with a profile of its own and
// no background traffic (this machine's network is closed; Chromium would keep trying Google's hosts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { onCleanup } from "./helpers.js";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium (HOME set to `home` when given: its NSS database is `home/.pki/nssdb`); closed after the test. */
export async function launchBrowser(options: { home?: string } = {}): Promise<Browser> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "portmate-browser-"));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, env: { ...process.env, HOME: home } });
  onCleanup(async () => {
    await browser.close();
    if (!options.home) rmSync(home, { recursive: true, force: true });
  });
  return browser;
}
