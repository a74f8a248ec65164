// A headless Firefox (Debian's firefox-esr) for the browser tests, driven over WebDriver BiDi, the standard
// protocol Firefox speaks itself: playwright-core drives Firefox only through a patched build of its own, or
// through BiDi commands this Firefox does not have yet. Enough of the protocol to open a page and run script in
// it; closed after the test.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { WebSocket } from "undici";
import { onCleanup, pidGone, waitUntil } from "./helpers.js";

export const FIREFOX_PATH = "/usr/bin/firefox-esr";

/** Nothing in the background: this machine's network is closed, and the tests need none of it. */
const PREFS = [
  'user_pref("browser.shell.checkDefaultBrowser", false);',
  'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
  'user_pref("toolkit.telemetry.enabled", false);',
  'user_pref("app.update.enabled", false);',
  'user_pref("browser.newtabpage.enabled", false);',
  'user_pref("network.captive-portal-service.enabled", false);',
  'user_pref("network.connectivity-service.enabled", false);',
  'user_pref("services.settings.server", "http://127.0.0.1:9/");',
  'user_pref("network.proxy.allow_hijacking_localhost", false);',
];

export interface FirefoxPage {
  /** Opens `url` and waits for it to load. */
  goto(url: string): Promise<void>;
  /** The value of `expression` (awaited when it is a promise), which must be a string, number or boolean. */
  evaluate<T extends string | number | boolean>(expression: string): Promise<T>;
  version: string;
}

export async function launchFirefox(): Promise<FirefoxPage> {
  const profile = mkdtempSync(join(tmpdir(), "portmate-firefox-"));
  writeFileSync(join(profile, "user.js"), `${PREFS.join("\n")}\n`);
  const child = spawn(FIREFOX_PATH, ["--headless", "--remote-debugging-port=0", "--no-remote", "--profile", profile, "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, HOME: profile, MOZ_CRASHREPORTER_DISABLE: "1" },
  });
  onCleanup(async () => {
    child.kill("SIGTERM");
    const pid = child.pid as number;
    await waitUntil(() => pidGone(pid), `Firefox (pid ${pid}) is gone`, 15_000).catch(() => child.kill("SIGKILL"));
    rmSync(profile, { recursive: true, force: true });
  });
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr });
    lines.on("line", (line) => {
      const found = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line)?.[1];
      if (found) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`Firefox exited (code ${code}) before it listened`)));
  });
  const socket = new WebSocket(`${address}/session`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  onCleanup(() => socket.close());
  let next = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; type: string; result?: unknown; error?: string; message?: string };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id as number);
    if (message.type === "error") pending.reject(new Error(`${message.error}: ${message.message}`));
    else pending.resolve(message.result);
  });
  const send = <T>(method: string, params: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const session = await send<{ capabilities: { browserVersion: string } }>("session.new", { capabilities: {} });
  const tree = await send<{ contexts: Array<{ context: string }> }>("browsingContext.getTree", {});
  const context = tree.contexts[0]?.context as string;
  return {
    version: session.capabilities.browserVersion,
    async goto(url) {
      await send("browsingContext.navigate", { context, url, wait: "complete" });
    },
    async evaluate<T>(expression: string) {
      const answer = await send<{ type: string; result?: { value?: unknown }; exceptionDetails?: { text: string } }>("script.evaluate", {
        expression,
        target: { context },
        awaitPromise: true,
      });
      if (answer.type === "exception") throw new Error(`in Firefox: ${answer.exceptionDetails?.text}`);
      return answer.result?.value as T;
    },
  };
}
