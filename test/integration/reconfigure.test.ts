import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import type { StackEvent } from "../../src/supervise/events.js";
import { fixtureCommand, occupy, onCleanup, pidGone, randomRange, readRecords, recordedPids, tempProject, waitUntil, yaml } from "../support/helpers.js";

describe("a running stack's config, read again", () => {
  it("restarts the service whose env file changed when it is saved, and only it", { timeout: 30_000 }, async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          api:
            command: ${fixtureCommand("--name api --record record.jsonl")}
            env_file: api.env
          web:
            command: ${fixtureCommand("--name web --record record.jsonl")}
      `,
      "api.env": "GREETING=hello\n",
    });
    const events: StackEvent[] = [];
    const stack = await up({ cwd: dir, onEvent: (event) => events.push(event) });
    onCleanup(() => stack.down());
    const record = join(dir, "record.jsonl");
    const starts = (name: string) => readRecords(record).filter((line) => line.name === name && line.event === "start");
    const webPid = stack.services.web?.pid;

    writeFileSync(join(dir, "api.env"), "GREETING=bonjour\n");
    await waitUntil(() => events.some((event) => event.type === "config" && event.state === "applied"), "the change applied");
    expect(events.filter((event) => event.type === "reconfigured")).toEqual([
      { type: "reconfigured", service: "api", action: "restarted", detail: "env GREETING" },
    ]);
    expect(starts("api").map((line) => line.env?.GREETING)).toEqual(["hello", "bonjour"]);
    expect(stack.services.web?.pid).toBe(webPid);

    // Applied on demand too (`portmate up` again): nothing changed, nothing restarted.
    expect(await stack.reload()).toEqual([
      { service: "api", action: "unchanged" },
      { service: "web", action: "unchanged" },
    ]);
    await stack.down();
    for (const pid of recordedPids(record)) expect(pidGone(pid), `pid ${pid}`).toBe(true);
  });

  it("says a valid config that cannot be applied (its strict port is taken) was not, and changes nothing", { timeout: 30_000 }, async () => {
    const range = randomRange();
    const config = (extra: string) => yaml`
      ports: {range: ${range.text}}
      services:
        api:
          command: ${fixtureCommand("--name api --record record.jsonl")}${extra}
    `;
    const dir = tempProject({ "portmate.yaml": config("") });
    const events: StackEvent[] = [];
    const stack = await up({ cwd: dir, onEvent: (event) => events.push(event) });
    onCleanup(() => stack.down());
    const pid = stack.services.api?.pid;
    expect(await occupy(range.to, "127.0.0.1")).toBeDefined();
    writeFileSync(join(dir, "portmate.yaml"), config(`\n          port: ${range.to}\n          strict: true`));
    await waitUntil(() => events.some((event) => event.type === "config" && event.state === "failed"), "the change refused");
    const failed = events.find((event) => event.type === "config" && event.state === "failed");
    expect(failed && "error" in failed ? failed.error : "").toMatch(new RegExp(`${range.to}`));
    expect(stack.services.api?.pid).toBe(pid);
    expect(events.some((event) => event.type === "reconfigured")).toBe(false);
    await stack.down();
    for (const recorded of recordedPids(join(dir, "record.jsonl"))) expect(pidGone(recorded), `pid ${recorded}`).toBe(true);
  });
});
