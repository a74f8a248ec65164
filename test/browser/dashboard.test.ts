// The dashboard in a real browser (Debian's Chromium, driven by playwright-core): it lists the running stacks
// live, shows what a service prints after the page opened (with its colours), restarts a service from its
// button, and refuses actions without the token or from another site. A screenshot of the page is kept in
// test-artifacts/. Firefox (over WebDriver BiDi) shows the same and restarts from its button too.
import { mkdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { project, ps, randomRange, runCli, ROOT, waitUntil } from "../support/helpers.js";
import { openDashboard, webStack } from "../support/dashboard.js";
import { launchBrowser } from "../support/browser.js";
import { launchFirefox } from "../support/firefox.js";
import { CHROMIUM, describeWith, FIREFOX } from "../support/requirements.js";
import { namedProject } from "../support/via-proxy.js";

const ARTIFACTS = join(ROOT, "test-artifacts");

/** The row of a service on the page. */
const row = (page: Page, project: string, service: string) => page.locator(`article[data-project="${project}"] tr[data-service="${service}"]`);

/** A request to the dashboard from outside the browser, with the headers given (Host included). */
function send(port: number, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describeWith(CHROMIUM, "the dashboard in a real browser", () => {
  it("lists the stacks live, shows new output, restarts from its button, and refuses what it must", { timeout: 120_000 }, async () => {
    const { dir, env, state } = namedProject(webStack("shop", randomRange().text, { api: "", web: "depends_on: [api]" }, "proxy: true"));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toMatch(/Dashboard: http:\/\/portmate\.localhost:\d+\//);
    const opened = await openDashboard(dir, env);
    // Through the local proxy, by its name.
    expect(opened.url).toMatch(/^http:\/\/portmate\.localhost:\d+\/$/);
    expect(opened.token_url).toMatch(/#token=[0-9a-f]{64}$/);

    const browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let navigations = 0;
    page.on("framenavigated", () => navigations++);
    await page.goto(opened.token_url);
    // The token is kept by the page and gone from the address bar.
    await waitUntil(() => !page.url().includes("token"), "the token left the address bar");
    navigations = 0; // that change of address was one
    await page.locator("#access", { hasText: "actions enabled" }).waitFor();

    // Every service, healthy, with its check's answer, ports and URLs as `ps` tells them, and what it depends on.
    const services = await ps(dir, env);
    const api = services.find((service) => service.service === "api");
    await row(page, "shop", "api").locator(".status", { hasText: "healthy" }).waitFor();
    await row(page, "shop", "web").locator(".status", { hasText: "healthy" }).waitFor();
    expect(await row(page, "shop", "api").locator(".check").textContent()).toBe("GET / → 200");
    expect(await row(page, "shop", "api").locator("td").nth(2).textContent()).toBe(String(api?.port));
    expect(await row(page, "shop", "api").locator(".pid").textContent()).toBe(String(api?.pid));
    expect(await row(page, "shop", "web").locator("td").nth(7).textContent()).toBe("api");
    const links = await row(page, "shop", "api")
      .locator(".urls a")
      .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toEqual([`${api?.named_url}/`, `${api?.url}/`]);

    // A line printed after the page opened shows, with its colour.
    const word = `hello-${Date.now()}`;
    await fetch(`${api?.url}/say?text=${word}`);
    const line = page.locator(".log-line", { hasText: `said: ${word}` });
    await line.waitFor();
    expect(await line.locator(".who").textContent()).toBe("api");
    expect(await line.locator(".text span").getAttribute("style")).toMatch(/color:rgb\(0,187,0\)/);
    // Filtered to another service, it is hidden; a search finds it again.
    await page.selectOption("#log-service", "shop/web");
    expect(await line.isHidden()).toBe(true);
    await page.selectOption("#log-service", "");
    await page.fill("#log-search", word);
    expect(await page.locator(".log-line:visible").count()).toBe(1);
    await page.fill("#log-search", "");

    // Restart from its button: the status goes through restarting back to healthy, with a new pid.
    const seen: string[] = [];
    await page.exposeFunction("statusSeen", (status: string) => seen.push(status));
    await page.evaluate(() => {
      const watch = () => {
        const text = document.querySelector('article[data-project="shop"] tr[data-service="api"] .status')?.textContent ?? "";
        (window as unknown as { statusSeen: (status: string) => void }).statusSeen(text);
      };
      new MutationObserver(watch).observe(document.getElementById("stacks") as HTMLElement, { subtree: true, childList: true, characterData: true });
    });
    await row(page, "shop", "api").getByRole("button", { name: "Restart", exact: true }).click();
    await page.locator(".toast", { hasText: "api restarted" }).waitFor({ timeout: 30_000 });
    await row(page, "shop", "api").locator(".status", { hasText: "healthy" }).waitFor();
    const after = (await ps(dir, env)).find((service) => service.service === "api");
    expect(after?.pid).not.toBe(api?.pid);
    await waitUntil(async () => (await row(page, "shop", "api").locator(".pid").textContent()) === String(after?.pid), "the page shows the new pid");
    expect(seen).toContain("restarting");
    expect(seen.lastIndexOf("healthy")).toBeGreaterThan(seen.indexOf("restarting"));
    expect(await row(page, "shop", "api").locator(".restarts").textContent()).toBe("0");

    // A stack started elsewhere appears, and goes when it stops: no reload.
    const other = project(webStack("other", randomRange().text, { solo: "" }));
    const otherEnv = { ...other.env, PORTMATE_STATE_DIR: state };
    expect((await runCli(["up", "-d"], { cwd: other.dir, env: otherEnv })).exitCode).toBe(0);
    await row(page, "other", "solo").locator(".status", { hasText: "healthy" }).waitFor();
    // What it printed while it started shows too, named by project as there are two.
    await page.locator(".log-line", { hasText: /other\/solo\s*solo listening on \d+$/ }).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    expect((await runCli(["down"], { cwd: other.dir, env: otherEnv })).exitCode).toBe(0);
    await page.locator('article[data-project="other"]').waitFor({ state: "detached" });
    expect(navigations).toBe(0);

    // Refused: an action without the token, from the page itself…
    const status = await page.evaluate(async () => {
      const response = await fetch("/api/actions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "stop", project: "shop", instance: 1, service: "api" }),
      });
      return response.status;
    });
    expect(status).toBe(401);
    // …with the token but from another site, or by another host name (DNS rebinding)…
    const token = opened.token_url.split("#token=")[1] as string;
    const body = JSON.stringify({ action: "stop", project: "shop", instance: 1, service: "api" });
    const direct = { "content-type": "application/json", "x-portmate-token": token };
    expect(await send(opened.port, "/api/actions", { ...direct, host: `127.0.0.1:${opened.port}`, origin: "http://evil.example" }, body)).toBe(403);
    expect(await send(opened.port, "/api/actions", { ...direct, host: `evil.example:${opened.port}` }, body)).toBe(403);
    expect(await send(opened.port, "/api/stacks", { host: `evil.example:${opened.port}` })).toBe(403);
    // …and env values are not shown without it.
    expect(await send(opened.port, "/api/env?project=shop&instance=1", { host: `127.0.0.1:${opened.port}` })).toBe(401);
    // A page opened without the token can look, not act.
    const plain = await (await browser.newContext()).newPage();
    await plain.goto(opened.url);
    await plain.locator("#access", { hasText: "read-only" }).waitFor();
    await row(plain, "shop", "api").locator(".status", { hasText: "healthy" }).waitFor();
    expect(await row(plain, "shop", "api").getByRole("button", { name: "Restart", exact: true }).isDisabled()).toBe(true);
    // Nothing was stopped by any of it.
    expect((await ps(dir, env)).map((service) => service.status)).toEqual(["healthy", "healthy"]);
  });

  it("runs on a port of its own without the proxy; stop, start, new port, open, copy env; jumps to a failure", { timeout: 90_000 }, async () => {
    const { dir, env } = project(webStack("plain", randomRange().text, { api: "restart: on-failure" }));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toContain("Dashboard: `portmate dashboard` opens every stack in the browser");
    const opened = await openDashboard(dir, env);
    expect(opened.url).toBe(`http://127.0.0.1:${opened.port}/`);
    const browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(opened.token_url);
    await page.locator("#access", { hasText: "actions enabled" }).waitFor();
    await row(page, "plain", "api").getByRole("button", { name: "Stop", exact: true }).click();
    await row(page, "plain", "api").locator(".status", { hasText: "stopped" }).waitFor();
    expect((await ps(dir, env))[0]?.status).toBe("stopped");
    await row(page, "plain", "api").getByRole("button", { name: "Start", exact: true }).click();
    await row(page, "plain", "api").locator(".status", { hasText: "healthy" }).waitFor();
    expect((await ps(dir, env))[0]?.status).toBe("healthy");

    // New port: the same service on another port, said in the page.
    const before = (await ps(dir, env))[0];
    await row(page, "plain", "api").getByRole("button", { name: "New port", exact: true }).click();
    const moved = page.locator(".toast", { hasText: "api restarted on a new port" });
    await moved.waitFor({ timeout: 30_000 });
    const after = (await ps(dir, env))[0];
    expect(after?.port).not.toBe(before?.port);
    expect(await moved.textContent()).toBe(`api restarted on a new port (port ${before?.port} → ${after?.port})`);
    await waitUntil(async () => (await row(page, "plain", "api").locator("td").nth(2).textContent()) === String(after?.port), "the page shows the new port");

    // Open: its URL in a new tab. Copy env: what `portmate env` prints.
    const [tab] = await Promise.all([page.waitForEvent("popup"), row(page, "plain", "api").getByRole("button", { name: "Open", exact: true }).click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(`${after?.url}/`);
    await tab.close();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.getByRole("button", { name: "Copy env", exact: true }).click();
    await page.locator(".toast", { hasText: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe((await runCli(["env"], { cwd: dir, env })).stdout + "\n");

    // A crash is a failure line, which Next failure jumps to; times show on demand.
    await fetch(`${after?.url}/exit`);
    const failure = page.locator(".log-line[data-failure]");
    await failure.first().waitFor({ timeout: 20_000 });
    expect(await failure.first().textContent()).toContain("api exited with code 3");
    await page.getByRole("button", { name: "Next failure" }).click();
    await page.locator(".log-line.current[data-failure]").waitFor();
    expect(await page.locator(".log-line.current .at").isVisible()).toBe(false);
    await page.check("#log-times");
    expect(await page.locator(".log-line.current .at").textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);

    // An action that fails says why, as the CLI would.
    const failed = await page.evaluate(async () => {
      const token = localStorage.getItem("portmate-dashboard-token") ?? "";
      const response = await fetch("/api/actions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-portmate-token": token },
        body: JSON.stringify({ action: "restart", project: "plain", instance: 1, service: "apu" }),
      });
      return { status: response.status, body: (await response.json()) as { error: string; details: string[] } };
    });
    expect(failed.status).toBe(409);
    expect(failed.body.error).toBe('plain has no service "apu" (did you mean "api"?)');
  });
});

describeWith(FIREFOX, "the dashboard in Firefox", () => {
  it("shows the stacks and their new output live, and restarts from its button", { timeout: 90_000 }, async () => {
    const { dir, env } = project(webStack("fox", randomRange().text, { api: "" }));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const opened = await openDashboard(dir, env);
    const firefox = await launchFirefox();
    await firefox.goto(opened.token_url);
    /** Waits in the page until `condition` (an expression) holds. */
    const until = (condition: string, what: string) =>
      firefox.evaluate<boolean>(`new Promise((resolve, reject) => {
        const deadline = Date.now() + 20000;
        const check = () => { if (${condition}) resolve(true); else if (Date.now() > deadline) reject(new Error(${JSON.stringify(what)})); else setTimeout(check, 50); };
        check();
      })`);
    const api = 'document.querySelector(\'article[data-project="fox"] tr[data-service="api"]\')';
    await until(`${api}?.querySelector(".status")?.textContent === "healthy"`, "the api row is healthy");
    await until(`document.getElementById("access").textContent === "actions enabled"`, "actions are enabled");
    expect(await firefox.evaluate<string>(`${api}.querySelector(".check").textContent`)).toBe("GET / → 200");

    const [service] = await ps(dir, env);
    const word = `firefox-${Date.now()}`;
    await fetch(`${service?.url}/say?text=${word}`);
    await until(`[...document.querySelectorAll(".log-line")].some((line) => line.textContent.includes("said: ${word}"))`, "the new line shows");

    await firefox.evaluate<boolean>(`(${api}.querySelector("button[title='portmate restart']").click(), true)`);
    await until(`[...document.querySelectorAll(".toast")].some((toast) => toast.textContent === "api restarted")`, "the restart is reported");
    const [after] = await ps(dir, env);
    expect(after?.pid).not.toBe(service?.pid);
    await until(`${api}.querySelector(".pid").textContent === "${after?.pid}"`, "the new pid shows");
  });
});
