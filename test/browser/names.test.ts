// Names through the local proxy, in a real browser (Debian's Chromium, driven by playwright-core): a page opened
// by name follows its service through a restart and a port move without a reload, and Vite's hot update reaches
// it over the proxied WebSocket.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ps, randomRange, runCli, ROOT, waitUntil, yaml } from "../support/helpers.js";
import { launchBrowser } from "../support/browser.js";
import { sandbox } from "../support/trust-sandbox.js";
import { CHROMIUM, describeWith } from "../support/requirements.js";
import { namedProject, proxyPort, WEB_SERVER } from "../support/via-proxy.js";

const VITE = join(ROOT, "node_modules", "vite", "bin", "vite.js");

describeWith(CHROMIUM, "names in a real browser", () => {
  it("follows a restart and a port move without a reload", { timeout: 90_000 }, async () => {
    const { dir, env, state } = namedProject(yaml`
      name: shop
      proxy: true
      ports: {range: ${randomRange().text}}
      services:
        web:
          command: node ${WEB_SERVER} web
          health: {http: /}
    `);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const url = `http://web.shop.localhost:${proxyPort(state)}`;
    const browser = await launchBrowser();
    const page = await browser.newPage();
    let navigations = 0;
    page.on("framenavigated", () => navigations++);
    await page.goto(`${url}/page`);
    expect(await page.textContent("#name")).toMatch(/^web on \d+$/);
    const portSeen = () => page.evaluate(async () => ((await (await fetch("/")).json()) as { port: number }).port);
    const before = await portSeen();

    // A restart: a request sent while it happens waits for it.
    const restart = runCli(["restart", "web"], { cwd: dir, env });
    expect(await portSeen()).toBe(before);
    expect((await restart).exitCode).toBe(0);
    expect(await portSeen()).toBe(before);

    // A move to another port: the same name, the same page, the new port.
    expect((await runCli(["restart", "web", "--new-port"], { cwd: dir, env })).exitCode).toBe(0);
    const after = (await ps(dir, env))[0]?.port;
    expect(after).not.toBe(before);
    expect(await portSeen()).toBe(after);
    expect(page.url()).toBe(`${url}/page`);
    expect(navigations).toBe(1);

    // Stopped: a page opened then says so, and comes back by itself once the service is started again.
    expect((await runCli(["stop", "web"], { cwd: dir, env })).exitCode).toBe(0);
    const other = await browser.newPage();
    const stopped = await other.goto(`${url}/page`);
    expect(stopped?.status()).toBe(503);
    expect(await other.textContent("h1")).toBe("web of shop is stopped");
    expect((await runCli(["start", "web"], { cwd: dir, env })).exitCode).toBe(0);
    const starting = await other.goto(`${url}/page`);
    expect(starting?.status()).toBe(200);
  });

  it("gets Vite's hot update over the proxied WebSocket after a file edit, without a reload", { timeout: 120_000 }, async () => {
    const { dir, env, state } = namedProject(
      yaml`
        name: front
        proxy: true
        ports: {range: ${randomRange().text}}
        services:
          vite:
            command: node ${VITE} --port \${port} --strictPort --host 127.0.0.1 --clearScreen false
            health: {http: /, timeout: 60s}
      `,
      {
        "index.html": `<!doctype html><html><body><h1 id="title">Vite</h1><script type="module" src="/main.js"></script></body></html>`,
        "main.js": `import "./style.css";\nwindow.loadedAt = Date.now();\n`,
        "style.css": `h1 { color: rgb(255, 0, 0); }\n`,
      },
    );
    const up = await runCli(["up", "-d"], { cwd: dir, env, timeoutMs: 90_000 });
    expect(up.exitCode, up.all).toBe(0);
    const browser = await launchBrowser();
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await page.goto(`http://vite.front.localhost:${proxyPort(state)}/`);
    const color = () => page.evaluate(() => getComputedStyle(document.getElementById("title") as HTMLElement).color);
    await waitUntil(async () => (await color()) === "rgb(255, 0, 0)", "the page has its style");
    const loadedAt = await page.evaluate(() => (window as unknown as { loadedAt: number }).loadedAt);
    // Vite's client connects its hot-update socket to the page's own host: the name, through the proxy.
    await waitUntil(() => sockets.length > 0, "Vite's client opened its WebSocket");
    expect(sockets[0]).toMatch(new RegExp(`^ws://vite\\.front\\.localhost:${proxyPort(state)}/`));

    // Saved again every 2 s until it shows: Vite's file watcher may not be watching yet on a loaded machine.
    const messages: string[] = [];
    page.on("console", (message) => messages.push(message.text()));
    const deadline = Date.now() + 30_000;
    let saves = 0;
    let savedAt = 0;
    while ((await color()) !== "rgb(0, 128, 0)") {
      if (Date.now() > deadline) throw new Error(`the hot update never applied the new style (console: ${messages.join(" | ")})`);
      if (Date.now() - savedAt >= 2000) {
        writeFileSync(join(dir, "style.css"), `h1 { color: rgb(0, 128, 0); }\n/* save ${++saves} */\n`);
        savedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(messages.some((text) => /\[vite\] (hot updated|css hot updated)/.test(text))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { loadedAt: number }).loadedAt)).toBe(loadedAt);
  });

  it("serves https:// names over HTTP/2 once `portmate trust` put the local CA where Chromium reads it, and not before", { timeout: 120_000 }, async () => {
    const { dir, env, state } = namedProject(yaml`
      name: secure
      proxy: {https: true}
      ports: {range: ${randomRange().text}}
      services:
        web:
          command: node ${WEB_SERVER} web
          health: {http: /}
    `);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr + up.stdout).toContain("`portmate trust` makes your browsers accept it (once)");
    const url = `https://web.secure.localhost:${proxyPort(state)}`;
    expect((await ps(dir, env))[0]?.named_url).toBe(url);
    const { home } = sandbox();
    const visit = async () => {
      const browser = await launchBrowser({ home });
      const page = await browser.newPage();
      try {
        await page.goto(`${url}/page`);
      } catch (error) {
        return (error as Error).message;
      }
      const protocol = await page.evaluate(() => (performance.getEntries()[0] as PerformanceNavigationTiming).nextHopProtocol);
      const answer = await page.evaluate(async () => (await (await fetch("/")).json()) as { forwarded: { proto: string } });
      const echo = await page.evaluate(
        (wss) =>
          new Promise<string>((resolve, reject) => {
            const socket = new WebSocket(wss);
            socket.onopen = () => socket.send("over tls");
            socket.onmessage = (message) => resolve(String(message.data));
            socket.onerror = () => reject(new Error("WebSocket failed"));
          }),
        url.replace("https:", "wss:"),
      );
      await browser.close();
      return { protocol, proto: answer.forwarded.proto, echo };
    };
    // Nothing is trusted until the user says so.
    expect(await visit()).toContain("net::ERR_CERT_AUTHORITY_INVALID");
    const trust = await runCli(["trust"], { cwd: dir, env: { ...env, HOME: home } });
    expect(trust.exitCode, trust.all).toBe(0);
    expect(await visit()).toEqual({ protocol: "h2", proto: "https", echo: "echo: over tls" });
  });
});
