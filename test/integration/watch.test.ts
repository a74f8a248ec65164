import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import type { StackEvent } from "../../src/supervise/events.js";
import { fixtureCommand, isListening, onCleanup, pidGone, randomRange, readRecords, recordedPids, tempProject, waitUntil, yaml } from "../support/helpers.js";

/** A project folder with `src/` (and `files`) and the config, and its stack started with the library. */
async function watchedStack(config: string, files: Record<string, string> = {}) {
  const dir = tempProject({ "portmate.yaml": config });
  mkdirSync(join(dir, "src", "lib"), { recursive: true });
  for (const [name, text] of Object.entries({ "src/app.js": "1", "src/lib/util.js": "1", ...files })) writeFileSync(join(dir, name), text);
  const events: StackEvent[] = [];
  const stack = await up({ cwd: dir, onEvent: (event) => events.push(event) });
  onCleanup(() => stack.down());
  const record = join(dir, "record.jsonl");
  const starts = (name: string) => readRecords(record).filter((line) => line.name === name && line.event === "start").length;
  return { stack, dir, events, record, starts };
}

/** Waits until nothing happened for a while: the debounce and any restart are over. */
async function settle(events: StackEvent[], quietMs = 600): Promise<void> {
  let seen = -1;
  while (seen !== events.length) {
    seen = events.length;
    await sleep(quietMs);
  }
}

describe("watch", () => {
  it("restarts a service on its port when its files change, once per burst, and never for ignored files", { timeout: 60_000 }, async () => {
    const { stack, dir, events, record, starts } = await watchedStack(
      yaml`
        ports: {range: ${randomRange().text}}
        services:
          api:
            command: ${fixtureCommand("--name api --record record.jsonl")}
            health: {http: /}
            watch: {paths: [src, "config/*.json"], ignore: ["*.tmp"], debounce: 150ms}
          web:
            command: ${fixtureCommand("--name web --record record.jsonl")}
            env: {API_URL: "\${services.api.url}"}
            depends_on: [api]
            health: {http: /}
      `,
      { ".gitignore": "build/\nsrc/generated.js\n" },
    );
    const port = stack.services.api?.port as number;
    const webPid = stack.services.web?.pid;
    expect(starts("api")).toBe(1);

    // One change: one restart, on the same port; web refers to api's port, which did not move: left alone.
    writeFileSync(join(dir, "src", "app.js"), "2");
    await waitUntil(() => starts("api") === 2, "api restarted");
    await waitUntil(() => stack.services.api?.status === "healthy", "api healthy again");
    expect(stack.services.api?.port).toBe(port);
    expect(await isListening(port)).toBe(true);
    expect(events.filter((event) => event.type === "watch")).toEqual([{ type: "watch", service: "api", files: ["src/app.js"], action: "restart" }]);
    expect(events.some((event) => event.type === "port")).toBe(false);

    // An editor's atomic save: a temporary file, renamed over the original.
    writeFileSync(join(dir, "src", "app.js.swp.tmp"), "3");
    renameSync(join(dir, "src", "app.js.swp.tmp"), join(dir, "src", "app.js"));
    await settle(events);
    expect(starts("api")).toBe(3);

    // A checkout of 500 files: one restart.
    for (let index = 0; index < 500; index++) writeFileSync(join(dir, "src", `file-${index}.js`), String(index));
    await settle(events);
    expect(starts("api")).toBe(4);

    // A folder deleted and made again: one restart.
    rmSync(join(dir, "src", "lib"), { recursive: true });
    mkdirSync(join(dir, "src", "lib"));
    writeFileSync(join(dir, "src", "lib", "util.js"), "2");
    await settle(events);
    expect(starts("api")).toBe(5);

    // A glob's match counts; ignored files (.gitignore, `ignore:`), files outside the paths and the record do not.
    writeFileSync(join(dir, "src", "generated.js"), "x");
    writeFileSync(join(dir, "src", "scratch.tmp"), "x");
    mkdirSync(join(dir, "build"));
    writeFileSync(join(dir, "build", "out.js"), "x");
    writeFileSync(join(dir, "README.md"), "x");
    await settle(events);
    expect(starts("api")).toBe(5);
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "config", "app.json"), "{}");
    await settle(events);
    expect(starts("api")).toBe(6);

    expect(stack.services.web?.pid).toBe(webPid);
    expect(starts("web")).toBe(1);
    await stack.down();
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
    expect(await isListening(port)).toBe(false);
    // Stopped: changes do nothing any more.
    writeFileSync(join(dir, "src", "app.js"), "after");
    await sleep(500);
    expect(starts("api")).toBe(6);
  });

  it("restarts the dependents that ask for it, after the service is ready again", { timeout: 30_000 }, async () => {
    const { stack, dir, events, record, starts } = await watchedStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}
          health: {http: /}
          watch: src
        worker:
          command: ${fixtureCommand("--name worker --record record.jsonl")}
          depends_on: {api: {condition: healthy, restart: true}}
        web:
          command: ${fixtureCommand("--name web --record record.jsonl")}
          depends_on: {api: healthy}
    `);
    writeFileSync(join(dir, "src", "app.js"), "2");
    await waitUntil(() => starts("worker") === 2, "worker restarted after api");
    await settle(events);
    const order = readRecords(record)
      .filter((line) => line.event === "start")
      .map((line) => line.name);
    expect(order.slice(3)).toEqual(["api", "worker"]);
    expect(starts("web")).toBe(1);
    expect(stack.services.worker?.status).toBe("healthy");
    await stack.down();
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
  });

  it("runs `rebuild` first and restarts only when it succeeds; `signal` is sent instead of a restart", { timeout: 30_000 }, async () => {
    const { stack, dir, events, record, starts } = await watchedStack(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}
          health: {http: /}
          watch: {paths: src/app.js, rebuild: "sh -c 'cat src/app.js; test \\"$(cat src/app.js)\\" != broken'"}
        reloader:
          command: ["sh", "-c", "trap 'echo reloaded' HUP; echo ready; while :; do sleep 0.05; done"]
          port: none
          health: {log: ready}
          watch: {paths: src/lib, signal: HUP}
    `);
    writeFileSync(join(dir, "src", "app.js"), "good");
    await waitUntil(() => starts("api") === 2, "api rebuilt and restarted");
    expect(events).toContainEqual({ type: "output", service: "api", stream: "stdout", line: "rebuild: good" });

    writeFileSync(join(dir, "src", "app.js"), "broken");
    await waitUntil(() => events.some((event) => event.type === "watch" && event.failed !== undefined), "the failed rebuild reported");
    expect(events.filter((event) => event.type === "watch" && event.failed !== undefined)).toEqual([
      { type: "watch", service: "api", files: ["src/app.js"], action: "rebuild", failed: "rebuild exited with code 1" },
    ]);
    await settle(events);
    expect(starts("api")).toBe(2);
    expect(stack.services.api?.status).toBe("healthy");

    const pid = stack.services.reloader?.pid;
    writeFileSync(join(dir, "src", "lib", "util.js"), "2");
    await waitUntil(() => events.some((event) => event.type === "output" && event.service === "reloader" && event.line === "reloaded"), "reloader got SIGHUP");
    expect(stack.services.reloader?.pid).toBe(pid);
    expect(events).toContainEqual({ type: "watch", service: "reloader", files: ["src/lib/util.js"], action: "signal", signal: "SIGHUP" });
    await stack.down();
    for (const recorded of recordedPids(record)) expect(pidGone(recorded), `pid ${recorded}`).toBe(true);
  });
});
