import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { UsageError } from "../../../src/errors.js";
import { buildPlan } from "../../../src/plan/build.js";
import { portRequests } from "../../../src/plan/port-requests.js";
import { selectServices } from "../../../src/plan/select-services.js";
import { portOverrides, shadowedLines } from "../../../src/stack/up.js";
import { tempProject, yaml } from "../../support/helpers.js";

const DEMO = yaml`
  name: shop
  services:
    backend:
      command: node backend.js --port \${port} --label "instance \${instance}"
      port: 8000
      env:
        GREETING: \${GREETING:-hello world}
      health:
        http: /health
    ui:
      command: [node, ui.js]
      depends_on: [backend]
      env:
        API_URL: \${services.backend.url}
        PORT: "1234"
    admin:
      command: node admin.js
      depends_on: {backend: healthy, ui: started}
      ports: {http: auto, metrics: 9100}
      health:
        tcp: metrics
    migrate:
      command: node migrate.js
      port: none
    docs:
      command: node docs.js --api \${services.backend.url}
      disabled: true
    shell-task:
      command: echo "$$HOME" && sleep 1
      shell: true
      port: none
      disabled: true
`;

function load(text = DEMO, env: Record<string, string> = {}) {
  const dir = tempProject({ "portmate.yaml": text });
  return { dir, ...loadConfig({ cwd: dir, env }) };
}

/** Ports as the allocator would hand them out, from `base` up in request order. */
function fakePorts(requests: ReturnType<typeof portRequests>, base = 20_000) {
  return new Map(requests.map((request, index) => [request.key, request.preferred ?? base + index]));
}

describe("normalized config", () => {
  it("applies the documented defaults", () => {
    const { config, dir } = load();
    expect(config.project).toBe("shop");
    expect(config.range).toEqual({ from: 8000, to: 9000 });
    const ui = config.services.get("ui");
    expect(ui?.ports).toEqual([{ name: "default" }]);
    expect(ui?.health).toEqual({ check: { kind: "tcp", port: "default" }, intervalMs: 500, timeoutMs: 30_000 });
    expect(ui?.stopSignal).toBe("SIGTERM");
    expect(ui?.stopTimeoutMs).toBe(10_000);
    expect(ui?.cwd).toBe(dir);
    expect(config.services.get("migrate")?.health.check).toEqual({ kind: "none" });
    expect(config.services.get("admin")?.health.check).toEqual({ kind: "tcp", port: "metrics" });
    expect(config.services.get("backend")?.dependsOn).toEqual([]);
    expect(config.services.get("admin")?.dependsOn).toEqual([
      { service: "backend", condition: "healthy", restart: false },
      { service: "ui", condition: "started", restart: false },
    ]);
  });

  it("names the project after its folder when the file does not", () => {
    const dir = tempProject({ "portmate.yaml": "services:\n  a:\n    command: node a.js\n" });
    expect(loadConfig({ cwd: dir }).config.project).toMatch(/^portmate-test-[a-z0-9_-]+$/);
    expect(loadConfig({ cwd: dir, projectName: "other" }).config.project).toBe("other");
    expect(() => loadConfig({ cwd: dir, projectName: "Bad Name" })).toThrow(UsageError);
  });

  it("finds portmate.yaml in a folder above the working one", () => {
    const dir = tempProject({ "portmate.yaml": "services:\n  a:\n    command: node a.js\n" });
    mkdirSync(join(dir, "deep", "er"), { recursive: true });
    expect(loadConfig({ cwd: join(dir, "deep", "er") }).config.file).toBe(join(dir, "portmate.yaml"));
  });

  it("reads env files for interpolation, with the process environment winning", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        env_file: .env
        services:
          a:
            command: node a.js \${FROM_FILE} \${BOTH}
            port: none
      `,
      ".env": "FROM_FILE=file\nBOTH=file\n",
    });
    const { config } = loadConfig({ cwd: dir, env: { BOTH: "process" } });
    const plan = buildPlan(config, selectServices(config), 1, new Map());
    expect(plan.services[0]?.command).toEqual({ shell: false, file: "node", args: ["a.js", "file", "process"] });
    expect(plan.services[0]?.env).toMatchObject({ FROM_FILE: "file", BOTH: "process" });
  });

  it("warns about a variable that is not set", () => {
    const { warnings } = load(yaml`
      services:
        a:
          command: node a.js \${NOT_SET_ANYWHERE}
    `);
    expect(warnings.map((warning) => `${warning.line}:${warning.col} ${warning.message}`)).toEqual([
      "3:14 variable NOT_SET_ANYWHERE is not set; using an empty string (read the environment; no .env beside portmate.yaml)",
    ]);
  });
});

describe("selection", () => {
  it("starts everything not disabled, each after what it needs", () => {
    const { config } = load();
    expect(selectServices(config).map((service) => service.name)).toEqual(["backend", "ui", "admin", "migrate"]);
  });

  it("starts a named service with what it depends on or refers to", () => {
    const { config } = load();
    expect(selectServices(config, ["admin"]).map((service) => service.name)).toEqual(["backend", "ui", "admin"]);
    expect(selectServices(config, ["docs"]).map((service) => service.name)).toEqual(["backend", "docs"]);
  });

  it("rejects an unknown name with a suggestion", () => {
    const { config } = load();
    expect(() => selectServices(config, ["backnd"])).toThrow(/no service "backnd" .*\(did you mean "backend"\?\)/);
  });
});

describe("plan", () => {
  it("asks preferred ports for instance 1 only", () => {
    const { config } = load();
    const requests = portRequests(selectServices(config), 2);
    expect(requests.filter((request) => request.preferred !== undefined)).toEqual([
      { key: "1/backend/default", label: "backend", preferred: 8000 },
      { key: "1/admin/metrics", label: "admin (metrics)", preferred: 9100 },
    ]);
    expect(requests.map((request) => request.key)).toContain("2/admin/metrics");
    expect(requests.map((request) => request.label)).toContain("admin#2 (metrics)");
  });

  it("puts --port and <SVC>_PORT before the config's port, for instance 1, and marks strict requests", () => {
    const { config } = load(DEMO, { BACKEND_PORT: "8500", UI_PORT: "8600" });
    const services = selectServices(config);
    const overrides = portOverrides(config, services, { ui: 8700, "admin.http": 8800 });
    expect([...overrides]).toEqual([
      ["backend/default", 8500],
      ["ui/default", 8700],
      ["admin/http", 8800],
    ]);
    const requests = portRequests(services, 2, { overrides, strict: true, sticky: { "2/ui/default": 8123 } });
    expect(requests.filter((request) => request.preferred !== undefined || request.sticky !== undefined)).toEqual([
      { key: "1/backend/default", label: "backend", preferred: 8500, strict: true },
      { key: "1/ui/default", label: "ui", preferred: 8700, strict: true },
      { key: "1/admin/http", label: "admin (http)", preferred: 8800, strict: true },
      { key: "1/admin/metrics", label: "admin (metrics)", preferred: 9100, strict: true },
      { key: "2/ui/default", label: "ui#2", sticky: 8123 },
    ]);
  });

  it("refuses overrides that name no service or port, and a <SVC>_PORT that is no port", () => {
    const { config } = load();
    const services = selectServices(config);
    expect(() => portOverrides(config, services, { backnd: 8000 })).toThrow(/--port backnd=8000: no service "backnd" \(did you mean "backend"\?\)/);
    expect(() => portOverrides(config, services, { "admin.metric": 8000 })).toThrow(/admin has no port named "metric"/);
    expect(() => portOverrides(config, services, { migrate: 8000 })).toThrow(/migrate has no port \(`port: none`\)/);
    const withBadEnv = load(DEMO, { BACKEND_PORT: "80a" });
    expect(() => portOverrides(withBadEnv.config, selectServices(withBadEnv.config))).toThrow(UsageError);
    expect(() => portOverrides(withBadEnv.config, selectServices(withBadEnv.config))).toThrow('BACKEND_PORT must be a port number (1-65535), got "80a"');
  });

  it("wires ports into commands and env, per instance", () => {
    const { config } = load();
    const services = selectServices(config);
    const plan = buildPlan(config, services, 2, fakePorts(portRequests(services, 2)));
    const byId = new Map(plan.services.map((service) => [service.id, service]));
    expect([...byId.keys()]).toEqual(["backend", "ui", "admin", "migrate", "backend#2", "ui#2", "admin#2", "migrate#2"]);

    const backend2 = byId.get("backend#2");
    const backendPort = backend2?.port;
    // A substituted value with a space stays one argument: split first, fill in after.
    expect(backend2?.command).toEqual({ shell: false, file: "node", args: ["backend.js", "--port", String(backendPort), "--label", "instance 2"] });
    expect(backend2?.env.GREETING).toBe("hello world");

    const ui2 = byId.get("ui#2");
    expect(ui2?.env).toMatchObject({
      API_URL: `http://127.0.0.1:${backendPort}`,
      BACKEND_PORT: String(backendPort),
      BACKEND_URL: `http://127.0.0.1:${backendPort}`,
      UI_PORT: String(ui2?.port),
      PORTMATE_PROJECT: "shop",
      PORTMATE_INSTANCE: "2",
      // explicit env wins over the injected PORT
      PORT: "1234",
    });
    // Discovery variables of itself and what it depends on or refers to, not of every service.
    expect(ui2?.env).not.toHaveProperty("MIGRATE_PORT");
    expect(ui2?.env).not.toHaveProperty("ADMIN_PORT");
    // Checked over TCP, with no `url:`: no URL is guessed for it.
    expect(ui2?.env).not.toHaveProperty("UI_URL");
    expect(ui2?.url).toBeUndefined();
    expect(byId.get("backend")?.env).not.toHaveProperty("UI_URL");
    expect(byId.get("admin")?.env).toMatchObject({ BACKEND_PORT: String(byId.get("backend")?.port), UI_PORT: String(byId.get("ui")?.port) });
    expect(ui2?.dependsOn).toEqual([{ id: "backend#2", condition: "healthy" }]);

    const admin = byId.get("admin");
    expect(admin?.ports).toEqual({ http: admin?.port, metrics: 9100 });
    expect(admin?.env.PORT).toBe(String(admin?.ports.http));
    expect(admin?.health).toMatchObject({ kind: "tcp", port: 9100, hosts: ["127.0.0.1", "::1"] });
    expect(byId.get("backend")?.health).toMatchObject({ kind: "http", port: 8000, path: "/health" });
    expect(byId.get("migrate")?.port).toBeUndefined();

    const ports = plan.services.flatMap((service) => Object.values(service.ports));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it("lets what the user gave win over discovery variables, but a <SVC>_PORT preference yield to the port given", () => {
    const { config } = load(
      yaml`
        name: shop
        services:
          redis:
            command: redis-server --port \${port}
            port: 6400
            url: redis
          api:
            command: node api.js
            depends_on: [redis]
          worker:
            command: node worker.js
            depends_on: [redis]
            env: {REDIS_URL: "redis://\${host}:\${services.redis.port}/1"}
      `,
      { REDIS_URL: "redis://cache.internal:6379/0", REDIS_PORT: "6400" },
    );
    const services = selectServices(config, []);
    // redis did not get its preferred 6400 (taken, say): the port it got is given, not the preference.
    const ports = new Map(portRequests(services, 1).map((request, index) => [request.key, 20_000 + index]));
    const plan = buildPlan(config, services, 1, ports);
    const byId = new Map(plan.services.map((service) => [service.id, service]));
    const redis = byId.get("redis")?.port;
    expect(byId.get("api")?.env).toMatchObject({ REDIS_URL: "redis://cache.internal:6379/0", REDIS_PORT: String(redis) });
    expect(byId.get("api")?.shadowed).toEqual(["REDIS_URL"]);
    // The service's own env: wins, and is no clash worth a line.
    expect(byId.get("worker")?.env.REDIS_URL).toBe(`redis://127.0.0.1:${redis}/1`);
    expect(byId.get("worker")?.shadowed).toBeUndefined();
    expect(shadowedLines(plan)).toEqual([
      "redis, api get REDIS_URL from the environment or an env file, not from portmate (`${services.redis.url}` is portmate's)",
    ]);
  });

  it("gives a service the URL its `url:` says, guesses http:// only for one checked over HTTP, and none to others", () => {
    const { config } = load(yaml`
      name: shop
      services:
        redis:
          command: node redis.js --port \${port}
          url: redis
        db:
          command: node db.js -p \${port}
          url: postgres://app@\${host}:\${port}/shop
        cache:
          command: node cache.js -p \${port}
        web:
          command: node web.js
          health: {http: /health}
          depends_on: [redis, db, cache]
          env: {SESSIONS: "\${services.redis.url}/1"}
    `);
    const services = selectServices(config, []);
    const plan = buildPlan(config, services, 1, fakePorts(portRequests(services, 1)));
    const byId = new Map(plan.services.map((service) => [service.id, service]));
    const port = (id: string) => byId.get(id)?.port;
    expect(byId.get("redis")?.url).toBe(`redis://127.0.0.1:${port("redis")}`);
    expect(byId.get("db")?.url).toBe(`postgres://app@127.0.0.1:${port("db")}/shop`);
    expect(byId.get("cache")?.url).toBeUndefined();
    expect(byId.get("web")?.url).toBe(`http://127.0.0.1:${port("web")}`);
    expect(byId.get("web")?.env).toMatchObject({
      REDIS_URL: `redis://127.0.0.1:${port("redis")}`,
      DB_URL: `postgres://app@127.0.0.1:${port("db")}/shop`,
      CACHE_PORT: String(port("cache")),
      SESSIONS: `redis://127.0.0.1:${port("redis")}/1`,
    });
    expect(byId.get("web")?.env).not.toHaveProperty("CACHE_URL");
  });

  it("keeps a shell command whole, with `$$` as a literal `$`", () => {
    const { config } = load();
    const plan = buildPlan(config, selectServices(config, ["shell-task"]), 1, new Map());
    expect(plan.services[0]?.command).toEqual({ shell: true, script: 'echo "$HOME" && sleep 1' });
  });
});
