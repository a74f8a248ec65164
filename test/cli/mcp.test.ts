// `portmate mcp`: the SDK's own client drives the built CLI's MCP server over stdio, against a real stack.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  CLI,
  dependentPair,
  expectNothingLeft,
  onCleanup,
  pidGone,
  processesWith,
  project,
  ps,
  randomRange,
  recordedPids,
  runCli,
  waitUntil,
} from "../support/helpers.js";
import type { ServiceJson } from "../../src/operations/list-services.js";
import type { UpJson } from "../../src/operations/up-detached.js";

const TOOLS = ["down", "get_env", "get_port", "list_services", "read_logs", "restart_services", "start_services", "stop_services", "up", "who_holds_port"];

/** db ← api; api says hello once it runs. */
const STACK = (range: string) => dependentPair("agentdemo", range, "api", ["api says hello", "api is ready"]);

/** A client connected to `portmate mcp` run in `cwd`; what the server writes to stderr is kept, and it is closed after the test. */
async function connect(cwd: string, env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp"],
    cwd,
    env: { ...definedEnv(), ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "portmate-test", version: "1.0.0" });
  // Anything on stdout that is not the protocol would be told here.
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  onCleanup(() => client.close());
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { client, transport, call, errors, stderr: () => stderr };
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The JSON a tool answered with (checking it is no error), the same as its structured content when it has one. */
function json<T>(result: CallToolResult): T {
  const text = result.content[0]?.type === "text" ? result.content[0].text : "";
  expect(result.isError, text).toBeFalsy();
  const value = JSON.parse(text) as T;
  if (result.structuredContent !== undefined) expect(result.structuredContent).toEqual(value);
  return value;
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  return result.content[0]?.type === "text" ? result.content[0].text : "";
}

describe("portmate mcp", () => {
  it("lists its tools, each described, with described arguments", async () => {
    const { dir, env } = project(STACK(randomRange().text));
    const { client } = await connect(dir, env);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [name, property] of Object.entries(properties)) expect(property.description, `${tool.name}.${name}`).toBeTruthy();
    }
  });

  it("answers what was asked before its input ended, writes nothing but the protocol on stdout, and exits 0", async () => {
    const { dir, env } = project(STACK(randomRange().text));
    const messages = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "pipe", version: "1" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_services", arguments: {} } },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "get_env", arguments: {} } },
    ];
    const result = await execa(process.execPath, [CLI, "mcp"], {
      cwd: dir,
      env,
      input: messages.map((message) => JSON.stringify(message)).join("\n") + "\n",
      reject: false,
      timeout: 20_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const answers = result.stdout.split("\n").map((line) => JSON.parse(line) as { id: number; result: CallToolResult });
    expect(answers.map((answer) => answer.id)).toEqual([1, 2, 3]);
    expect(answers[1]?.result.content).toEqual([{ type: "text", text: "[]" }]);
    expect(answers[2]?.result.isError).toBe(true);
  });

  it("ups a project, answers as the CLI's --json does, acts on single services, and downs it, leaving nothing", { timeout: 90_000 }, async () => {
    const { dir, env, record, state } = project(STACK(randomRange().text));
    const { call, transport, errors, stderr } = await connect(dir, env);

    // Nothing runs yet: an error with portmate's hint.
    expect(errorText(await call("get_port", { project: "agentdemo", service: "db" }))).toBe(
      "agentdemo is not running\nhint: `portmate up -d` starts it in the background",
    );

    const up = json<UpJson>(await call("up", { config: dir }));
    expect(up.project).toBe("agentdemo");
    expect(up.instances).toBe(1);
    expect(up.changes).toEqual([]);
    expect(up.services.map((row) => [row.service, row.status])).toEqual([
      ["db", "healthy"],
      ["api", "healthy"],
    ]);

    // The same rows as `ps --json`.
    const listed = json<ServiceJson[]>(await call("list_services", { project: "agentdemo" }));
    const before = await ps(dir, env);
    const pick = (rows: readonly ServiceJson[]) => rows.map(({ service, pid, port, ports, url }) => ({ service, pid, port, ports, url }));
    expect(pick(listed)).toEqual(pick(before as ServiceJson[]));
    expect(pick(up.services)).toEqual(pick(before as ServiceJson[]));
    expect(json<ServiceJson[]>(await call("list_services")).map((row) => row.service)).toEqual(["db", "api"]);
    const row = (rows: readonly ServiceJson[], service: string) => rows.find((candidate) => candidate.service === service) as ServiceJson;
    const dbPort = row(before as ServiceJson[], "db").port as number;
    const apiPort = row(before as ServiceJson[], "api").port as number;

    // Logs: what api printed, grep picks lines, and the same as `logs --json`.
    await waitUntil(async () => json<Array<{ text: string }>>(await call("read_logs", { services: ["api"] })).length >= 2, "api's two lines");
    const logs = json<Array<{ service: string; at: string; text: string }>>(await call("read_logs", { project: "agentdemo", services: ["api"] }));
    expect(logs.map((line) => [line.service, line.text])).toEqual([
      ["api", "api says hello"],
      ["api", "api is ready"],
    ]);
    const cli = await runCli(["logs", "api", "--json"], { cwd: dir, env });
    expect(JSON.parse(cli.stdout)).toEqual(logs);
    expect(json<Array<{ text: string }>>(await call("read_logs", { grep: "hel+o" })).map((line) => line.text)).toEqual(["api says hello"]);
    expect(json<unknown[]>(await call("read_logs", { grep: "nothing prints this" }))).toEqual([]);

    // Port, env and who agree with the stack.
    expect(json(await call("get_port", { service: "db" }))).toEqual({
      project: "agentdemo",
      instance: 1,
      service: "db",
      name: null,
      port: dbPort,
      url: `http://127.0.0.1:${dbPort}`,
      named_url: null,
    });
    const everyEnv = json<Record<string, string>>(await call("get_env", {}));
    expect(everyEnv.DB_PORT).toBe(String(dbPort));
    expect(everyEnv.API_PORT).toBe(String(apiPort));
    expect(json<Record<string, string>>(await call("get_env", { service: "api" })).DB_URL).toBe(`http://127.0.0.1:${dbPort}`);
    const who = json<{ port: number; stacks: Array<{ project: string; service: string }>; lookup: { holders: Array<{ pid: number }> } }>(
      await call("who_holds_port", { port: dbPort }),
    );
    expect(who.stacks.map((use) => [use.project, use.service])).toEqual([["agentdemo", "db"]]);
    expect(who.lookup.holders.map((holder) => holder.pid)).toContain(row(before as ServiceJson[], "db").pid);
    expect(JSON.parse((await runCli(["who", String(dbPort), "--json"], { cwd: dir, env })).stdout).stacks).toEqual(who.stacks);

    // A service it has not: an error with the did-you-mean and the services there are.
    expect(errorText(await call("restart_services", { services: ["dbb"] }))).toBe(
      'agentdemo has no service "dbb" (did you mean "db"?)\nhint: services: db, api',
    );
    // Arguments that do not fit the schema are refused before anything runs.
    expect(errorText(await call("who_holds_port", { port: 0 }))).toMatch(/port/);

    // Restart: a new process on the same port; with new_port, on another one.
    const restarted = json<Array<{ service: string; moved: unknown[] }>>(await call("restart_services", { services: ["api"] }));
    expect(restarted).toEqual([{ service: "api", moved: [], restarted: [] }]);
    const afterRestart = await ps(dir, env);
    expect(row(afterRestart as ServiceJson[], "api").pid).not.toBe(row(before as ServiceJson[], "api").pid);
    expect(row(afterRestart as ServiceJson[], "api").port).toBe(apiPort);
    const moved = json<Array<{ service: string; moved: Array<{ name: string; from: number; to: number }>; restarted: string[] }>>(
      await call("restart_services", { services: ["db"], new_port: true }),
    );
    expect(moved[0]?.moved[0]).toMatchObject({ name: "default", from: dbPort });
    expect(moved[0]?.restarted).toEqual(["api"]);
    const newDbPort = moved[0]?.moved[0]?.to as number;
    expect(json<{ port: number }>(await call("get_port", { service: "db" })).port).toBe(newDbPort);

    // Stop and start one service: it keeps its port.
    expect(json(await call("stop_services", { services: ["api"] }))).toEqual({
      project: "agentdemo",
      instance: 1,
      stopped: ["api"],
      notRunning: [],
      leftRunning: [],
    });
    expect(row((await ps(dir, env)) as ServiceJson[], "api").status).toBe("stopped");
    expect(json(await call("start_services", { services: ["api"] }))).toEqual({
      project: "agentdemo",
      instance: 1,
      started: [{ service: "api", ports: { default: apiPort } }],
      alreadyRunning: [],
    });
    const running = (await ps(dir, env)) as ServiceJson[];
    expect(running.map((line) => line.status)).toEqual(["healthy", "healthy"]);

    // Down: every process gone, every port closed, the answer as `down --json` gives it.
    expect(json(await call("down", { project: "agentdemo" }))).toEqual({ stopped: [{ project: "agentdemo", instance: 1, stale: false }] });
    expect(json(await call("down", {}))).toEqual({ stopped: [] });
    expect(json(await call("list_services", { project: "agentdemo" }))).toEqual([]);
    await expectNothingLeft(recordedPids(record), [dbPort, newDbPort, apiPort]);

    // Nothing but the protocol on stdout; the server ends with its transport.
    expect(errors).toEqual([]);
    const server = transport.pid as number;
    await transport.close();
    await waitUntil(() => pidGone(server), "the MCP server to exit once its client closed");
    // No process of this test's state folder is left: no supervisor, watchdog or service (a zombie counts as gone).
    expect(processesWith(`PORTMATE_STATE_DIR=${state}`, "environ")).toEqual([]);
    expect(stderr()).not.toMatch(/bug in portmate|TypeError|at .*\.js:\d+/);
  });
});
