// Public tunnels: ssh against a real OpenSSH server started by the test on loopback (the server's forwarded port
// is the "public" side), and any tunnel program through a stand-in that forwards a port of its own. Each test
// checks the tunnel reaches exactly its service (and that a tunnel pointing elsewhere is caught), and that no
// tunnel process is left once the stack is down.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ServiceFailedError } from "../../src/errors.js";
import type { StackEvent } from "../../src/supervise/events.js";
import { up } from "../../src/stack/up.js";
import {
  expectNothingLeft,
  fixtureCommand,
  isListening,
  pidGone,
  processesWith,
  project,
  ps,
  randomRange,
  runCli,
  startStack,
  tempProject,
  waitUntil,
  yaml,
} from "../support/helpers.js";
import { describeWith, OPENSSH_SERVER } from "../support/requirements.js";
import { startSshServer, type SshServer } from "../support/ssh-server.js";

const TUNNEL = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "tunnel.mjs");

async function body(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** `tunnel:` of an ssh tunnel to the test's sshd, as YAML flow. */
function sshTunnel(sshd: SshServer, extra = ""): string {
  const args = JSON.stringify([...sshd.trustArgs]);
  return `{ provider: ssh, host: 127.0.0.1, port: ${sshd.port}, identity: ${JSON.stringify(sshd.identity)}, args: ${args}${extra ? `, ${extra}` : ""} }`;
}

/**
 * A `command` tunnel: a stand-in tunnel program (fixtures/tunnel.mjs) that prints the public URL in its own
 * words, forwarding to `target` (a template such as `${port}`); `marker` finds its process.
 */
function commandTunnel(marker: string, target: string, extra = ""): string {
  return `{ command: ${JSON.stringify(["node", TUNNEL, target, marker])}, url_pattern: ${JSON.stringify("ready at (http://\\S+)")}${extra ? `, ${extra}` : ""} }`;
}

/** A marker no other test's tunnel has. */
function tunnelMarker(): string {
  return `tunnel-of-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/** portmate.yaml of one fixture service, `api`, with this `tunnel:` (YAML flow) and maybe one more key (`key: value`). */
function apiWith(tunnel: string, more = "x-more: none"): string {
  return yaml`
    ports: { range: ${randomRange().text} }
    services:
      api:
        command: ${fixtureCommand("--name api")}
        ${more}
        tunnel: ${tunnel}
  `;
}

const tunnelEvents = (events: StackEvent[]) => events.filter((event): event is Extract<StackEvent, { type: "tunnel" }> => event.type === "tunnel");

describeWith(OPENSSH_SERVER, "ssh tunnels", () => {
  it("opens ssh -R to the exact allocated port once healthy, verifies it, and leaves nothing when stopped", async () => {
    const sshd = await startSshServer();
    const { stack, events } = await startStack(apiWith(sshTunnel(sshd), "health: { http: /health }"));
    const api = stack.services.api;
    expect(api?.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const publicUrl = api?.publicUrl as string;
    expect(portOf(publicUrl)).not.toBe(api?.port);
    // The public side answers exactly as the service does.
    expect(await body(`${publicUrl}/health`)).toEqual(await body(`${api?.url}/health`));
    expect(JSON.parse((await body(publicUrl)).text)).toEqual({ name: "api", port: api?.port });
    const open = tunnelEvents(events).find((event) => event.state === "open");
    expect(open).toMatchObject({ service: "api", url: publicUrl, verified: true, port: api?.port });
    // The tunnel opened after the service was healthy.
    const healthyAt = events.findIndex((event) => event.type === "healthy");
    expect(events.findIndex((event) => event.type === "tunnel")).toBeGreaterThan(healthyAt);

    const tunnels = processesWith(sshd.identity);
    expect(tunnels).toHaveLength(1);
    // It carries the service's mark, so whatever stops the service (down, the watchdog) stops it too.
    expect(readFileSync(`/proc/${tunnels[0]}/environ`, "utf8")).toContain("PORTMATE_OWNER=");

    await stack.down();
    expect(tunnelEvents(events).at(-1)?.state).toBe("closed");
    expect(processesWith(sshd.identity)).toEqual([]);
    await expectNothingLeft([api?.pid as number, ...tunnels], [api?.port as number, portOf(publicUrl)]);
  });

  it("opens a dropped tunnel again and verifies it again", async () => {
    const sshd = await startSshServer();
    const { stack, events } = await startStack(apiWith(sshTunnel(sshd)));
    const [first] = processesWith(sshd.identity);
    expect(first).toBeDefined();
    process.kill(first as number, "SIGKILL");
    await waitUntil(() => tunnelEvents(events).filter((event) => event.state === "open").length === 2, "the tunnel to open again", 20_000);
    expect(tunnelEvents(events).map((event) => event.state)).toEqual(["opening", "open", "dropped", "open"]);
    expect(tunnelEvents(events).find((event) => event.state === "dropped")?.reason).toMatch(/ssh was killed by SIGKILL/);
    const again = stack.services.api?.publicUrl as string;
    expect(JSON.parse((await body(again)).text)).toEqual({ name: "api", port: stack.services.api?.port });
    const second = processesWith(sshd.identity);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);

    await stack.down();
    await expectNothingLeft([first as number, ...second], [portOf(again)]);
  });

  it("closes with its service and opens again once the restarted service is healthy", async () => {
    const sshd = await startSshServer();
    const { stack, events } = await startStack(apiWith(sshTunnel(sshd), "restart: { policy: always, delay: 100ms }"));
    const before = stack.services.api?.pid as number;
    const [tunnel] = processesWith(sshd.identity);
    process.kill(before, "SIGKILL");
    await waitUntil(() => tunnelEvents(events).filter((event) => event.state === "open").length === 2, "the tunnel to open again", 20_000);
    // Closed when the service went, not left pointing at nothing; opened after it was healthy again.
    const states = tunnelEvents(events).map((event) => event.state);
    expect(states.slice(0, 3)).toEqual(["opening", "open", states.includes("dropped") ? "dropped" : "closed"]);
    const healthyAgain = events.findLastIndex((event) => event.type === "healthy");
    const reopened = events.findLastIndex((event) => event.type === "tunnel" && event.state === "open");
    expect(reopened).toBeGreaterThan(healthyAgain);
    const api = stack.services.api;
    expect(api?.pid).not.toBe(before);
    expect(JSON.parse((await body(api?.publicUrl as string)).text)).toEqual({ name: "api", port: api?.port });
    const now = processesWith(sshd.identity);
    expect(now).toHaveLength(1);
    await stack.down();
    await expectNothingLeft([before, tunnel as number, ...now], [portOf(api?.publicUrl as string)]);
  });

  it("says why ssh could not open the tunnel, in ssh's words", async () => {
    const sshd = await startSshServer();
    const closed = randomRange(1).from;
    const { stack } = await startStack(yaml`
      ports: { range: ${randomRange().text} }
      services:
        api:
          command: ${fixtureCommand("--name api")}
          tunnel: { provider: ssh, host: 127.0.0.1, port: ${closed}, identity: ${JSON.stringify(sshd.identity)}, args: ${JSON.stringify(sshd.trustArgs)} }
    `);
    expect(stack.services.api?.status).toBe("healthy");
    expect(stack.services.api?.tunnel?.reason).toBe(`ssh exited with code 255: ssh: connect to host 127.0.0.1 port ${closed}: Connection refused`);
  });

  it("gives each instance a tunnel to its own port", async () => {
    const sshd = await startSshServer();
    const { stack } = await startStack(apiWith(sshTunnel(sshd)), { instances: 2 });
    const [one, two] = stack.instances.map((instance) => instance.services.api);
    expect(one?.publicUrl).toBeDefined();
    expect(two?.publicUrl).toBeDefined();
    expect(one?.publicUrl).not.toBe(two?.publicUrl);
    expect(JSON.parse((await body(one?.publicUrl as string)).text).port).toBe(one?.port);
    expect(JSON.parse((await body(two?.publicUrl as string)).text).port).toBe(two?.port);
    const tunnels = processesWith(sshd.identity);
    expect(tunnels).toHaveLength(2);
    await stack.down();
    await expectNothingLeft(tunnels, [portOf(one?.publicUrl as string), portOf(two?.publicUrl as string)]);
  });
});

describe("command tunnels", () => {
  it("runs any tunnel program and reads its public URL from its output", async () => {
    const marker = tunnelMarker();
    const { stack } = await startStack(apiWith(commandTunnel(marker, "${port}")));
    const api = stack.services.api;
    expect(api?.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse((await body(api?.publicUrl as string)).text)).toEqual({ name: "api", port: api?.port });
    const tunnels = processesWith(marker);
    expect(tunnels.length).toBeGreaterThan(0);
    await stack.down();
    await expectNothingLeft(tunnels, [portOf(api?.publicUrl as string)]);
  });

  it("catches a tunnel that reaches another service: the service runs locally, the tunnel is stopped", async () => {
    const marker = tunnelMarker();
    const { stack, events } = await startStack(yaml`
      ports: { range: ${randomRange().text} }
      services:
        other:
          command: ${fixtureCommand("--name other")}
        api:
          command: ${fixtureCommand("--name api")}
          tunnel: ${commandTunnel(marker, "${services.other.port}", "timeout: 3s")}
    `);
    const api = stack.services.api;
    expect(api?.status).toBe("healthy");
    expect(api?.publicUrl).toBeUndefined();
    expect(api?.tunnel?.state).toBe("failed");
    expect(api?.tunnel?.reason).toMatch(/answered 200 with another body .* than the service itself .*: the tunnel does not reach it/);
    expect(tunnelEvents(events).find((event) => event.state === "failed")?.reason).toBe(api?.tunnel?.reason);
    // Nothing of the wrong tunnel stays open.
    await waitUntil(() => processesWith(marker).length === 0, "the failed tunnel's processes to be gone");
    await stack.down();
  });

  it("fails the start when a required tunnel cannot be verified, and stops everything", async () => {
    const marker = tunnelMarker();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: { range: ${randomRange().text} }
        services:
          other:
            command: ${fixtureCommand("--name other --record record.jsonl")}
          api:
            command: ${fixtureCommand("--name api --record record.jsonl")}
            tunnel: ${commandTunnel(marker, "${services.other.port}", "timeout: 3s, required: true")}
      `,
    });
    const failure = await up({ cwd: dir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceFailedError);
    expect((failure as Error).message).toMatch(/^api could not open its required tunnel: .*the tunnel does not reach it/);
    const started = readFileSync(join(dir, "record.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pid: number; event: string })
      .filter((line) => line.event === "start");
    expect(started).toHaveLength(2);
    await expectNothingLeft(
      started.map((line) => line.pid),
      [],
    );
    expect(processesWith(marker)).toEqual([]);
  });
});

describe("ngrok tunnels", () => {
  /** A stand-in for the ngrok agent that fails as the real one does when the authtoken is refused. */
  function failingNgrok(): string {
    const bin = join(tempProject({}), "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "ngrok"),
      `#!/bin/sh\necho 't=2026-01-01T00:00:00+0000 lvl=eror msg="failed to start tunnel" err="authentication failed: The authtoken you specified is not valid."'\nexit 1\n`,
    );
    chmodSync(join(bin, "ngrok"), 0o755);
    return bin;
  }

  const service = (extra = "") => apiWith(extra ? `{ provider: ngrok, ${extra} }` : "ngrok");

  it("without NGROK_AUTHTOKEN, says so and runs the service locally", async () => {
    const env = { ...process.env } as Record<string, string>;
    delete env.NGROK_AUTHTOKEN;
    const { stack } = await startStack(service(), { env });
    expect(stack.services.api?.status).toBe("healthy");
    expect(stack.services.api?.publicUrl).toBeUndefined();
    expect(stack.services.api?.tunnel?.reason).toMatch(/^NGROK_AUTHTOKEN is not set/);
  });

  it("when the agent fails, shows its own words; when it is not installed, says how to get it", async () => {
    const bin = failingNgrok();
    const refused = await startStack(service("domain: demo.ngrok.app"), {
      env: { ...process.env, NGROK_AUTHTOKEN: "not-a-token", PATH: `${bin}:${process.env.PATH}` },
    });
    expect(refused.stack.services.api?.status).toBe("healthy");
    expect(refused.stack.services.api?.tunnel?.reason).toBe("ngrok exited with code 1: authentication failed: The authtoken you specified is not valid.");

    const missing = await startStack(service(), { env: { ...process.env, NGROK_AUTHTOKEN: "not-a-token", PATH: dirname(process.execPath) } });
    expect(missing.stack.services.api?.status).toBe("healthy");
    expect(missing.stack.services.api?.tunnel?.reason).toMatch(/^could not start ngrok: .*\(install the ngrok agent from https:\/\/ngrok\.com\/download/);
  });

  it("fails the start when the tunnel is required", async () => {
    const dir = tempProject({ "portmate.yaml": service("required: true") });
    const env = { ...process.env } as Record<string, string>;
    delete env.NGROK_AUTHTOKEN;
    await expect(up({ cwd: dir, env })).rejects.toThrow(/could not open its required tunnel: NGROK_AUTHTOKEN is not set/);
  });
});

describe("tunnels from the command line", () => {
  it("up -d shows the public URL and warns; ps --json has public_url; down leaves no tunnel", async () => {
    const marker = tunnelMarker();
    const { dir, env } = project(apiWith(commandTunnel(marker, "${port}")));
    const result = await runCli(["up", "-d"], { cwd: dir, env });
    expect(result.exitCode, result.all).toBe(0);
    const [row] = await ps(dir, env);
    const publicUrl = row?.public_url as string;
    expect(publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.stdout).toMatch(/SERVICE +PID +PORT +URL +PUBLIC URL/);
    expect(result.stdout).toContain(publicUrl);
    expect(result.stderr).toContain(`warning: api is PUBLIC at ${publicUrl}: anyone who has this URL reaches it`);
    const tunnels = processesWith(marker);
    expect(tunnels).toHaveLength(1);

    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft([row?.pid as number, ...tunnels], [row?.port as number, portOf(publicUrl)]);
  });

  it("up -d with a tunnel that fails says why, and that the service runs locally only", async () => {
    const { dir, env } = project(yaml`
      ports: { range: ${randomRange().text} }
      services:
        api:
          command: ${fixtureCommand("--name api")}
          url: http
          tunnel: ngrok
    `);
    const result = await runCli(["up", "-d"], { cwd: dir, env: { ...env, NGROK_AUTHTOKEN: "" } });
    expect(result.exitCode, result.all).toBe(0);
    const [row] = await ps(dir, env);
    expect(row?.public_url).toBeNull();
    expect(result.stdout).not.toContain("PUBLIC URL");
    expect(result.stderr).toContain(`warning: api: its tunnel failed: NGROK_AUTHTOKEN is not set`);
    expect(result.stderr).toContain(`api runs locally only, at ${row?.url}`);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
  });

  it("a killed supervisor's tunnel goes with its services, without down", async () => {
    const marker = tunnelMarker();
    const { dir, env } = project(apiWith(commandTunnel(marker, "${port}")));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const [row] = await ps(dir, env);
    const tunnels = processesWith(marker);
    expect(tunnels).toHaveLength(1);
    const supervisor = JSON.parse(readFileSync(join(env.PORTMATE_STATE_DIR, "stacks", `${row?.project}@1.json`), "utf8")).supervisor.pid as number;
    process.kill(supervisor, "SIGKILL");
    await waitUntil(() => tunnels.every(pidGone) && pidGone(row?.pid as number), "the tunnel and the service to be gone", 10_000);
    expect(await isListening(portOf(row?.public_url as string))).toBe(false);
  });

  it("--no-tunnel runs locally only; --tunnel opens one that is off; bad --tunnel is a usage error", async () => {
    const marker = tunnelMarker();
    const { dir, env } = project(yaml`
      ports: { range: ${randomRange().text} }
      services:
        api:
          command: ${fixtureCommand("--name api")}
          tunnel: ${commandTunnel(marker, "${port}", "enabled: false")}
        web:
          command: ${fixtureCommand("--name web")}
    `);
    const unknown = await runCli(["up", "-d", "--tunnel", "apj"], { cwd: dir, env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^--tunnel apj: no service "apj" \(did you mean "api"\?\)/);
    const none = await runCli(["up", "-d", "--tunnel", "web"], { cwd: dir, env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/^--tunnel web: web has no `tunnel:` in /);

    const off = await runCli(["up", "-d"], { cwd: dir, env });
    expect(off.exitCode, off.all).toBe(0);
    expect((await ps(dir, env)).map((row) => row.public_url)).toEqual([null, null]);
    expect(processesWith(marker)).toEqual([]);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);

    const on = await runCli(["up", "-d", "--no-tunnel", "--tunnel", "api"], { cwd: dir, env });
    expect(on.exitCode, on.all).toBe(0);
    const api = (await ps(dir, env)).find((row) => row.service === "api");
    expect(api?.public_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tunnels = processesWith(marker);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(tunnels, [portOf(api?.public_url as string)]);
  });
});
