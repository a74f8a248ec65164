import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromCompose } from "../../../src/init/from-compose.js";
import { renderConfig } from "../../../src/init/write-config.js";
import { loadConfig } from "../../../src/config/load.js";
import { ROOT, tempProject } from "../../support/helpers.js";

const APP = join(ROOT, "test/fixtures/init/compose-app");

describe("fromCompose", () => {
  const draft = fromCompose(join(APP, "docker-compose.yml"), APP);
  const service = (name: string) => draft.services.find((candidate) => candidate.name === name);

  it.each([
    [
      "db",
      "keeps the database's image and guesses the local program, on its published port",
      {
        image: "postgres:16",
        command: "postgres -D pgdata -p ${port} -k .",
        port: 5432,
        env: { POSTGRES_PASSWORD: "postgres", POSTGRES_DB: "app" },
        guesses: { command: expect.stringMatching(/initdb/) },
      },
    ],
    [
      "backend",
      "runs a service built from a Dockerfile with its CMD, in the build folder, the container port wired",
      {
        build: "backend",
        cwd: "backend",
        command: "node server.js --port ${port}",
        port: 8000,
        depends_on: { db: "healthy" },
        health: { http: "/health" },
        env: { DATABASE_URL: "postgres://postgres:postgres@${host}:${services.db.port}/app" },
        guesses: { "env.DATABASE_URL": expect.any(String) },
      },
    ],
    [
      "frontend",
      "runs the Vite front end in the folder mounted at its working_dir, on loopback, the backend's URL wired",
      {
        image: "node:20",
        cwd: "frontend",
        command: "npx vite --host ${host} --port ${port} --strictPort",
        port: 5173,
        env: { VITE_API_URL: "${services.backend.url}" },
        health: { http: "/" },
      },
    ],
  ])("%s: %s", (name, _what, expected) => {
    expect(service(name)).toMatchObject(expected);
  });

  it("writes a service with no command known disabled, and one that publishes no port with none", () => {
    const dir = tempProject({
      "compose.yaml": 'services:\n  mailer:\n    image: acme/mailer:2\n  queue:\n    image: acme/queue\n    command: ["queue", "--listen"]\n',
    });
    const drafted = fromCompose(join(dir, "compose.yaml"), dir).services;
    expect(drafted[0]).toMatchObject({ name: "mailer", disabled: true, image: "acme/mailer:2" });
    expect(drafted[1]).toMatchObject({ name: "queue", command: "queue --listen", port: "none" });
  });
});

describe("fromCompose on images of known databases", () => {
  it.each([
    ["redis:7-alpine", "redis-server --port ${port}"],
    ["bitnami/redis:7", "redis-server --port ${port}"],
    ["mongo:7", "mongod --dbpath mongo-data --port ${port}"],
    ["mariadb:11", "mysqld --datadir=mysql-data --port=${port}"],
  ])("%s runs here as %s, marked as a guess", (image, command) => {
    const dir = tempProject({ "compose.yaml": `services:\n  store:\n    image: ${image}\n    ports: ["6379"]\n` });
    const [service] = fromCompose(join(dir, "compose.yaml"), dir).services;
    expect(service).toMatchObject({ command, image, guesses: { command: expect.any(String) } });
    expect(service?.port).toBeUndefined();
  });
});

describe("fromCompose on env files and profiles", () => {
  it("keeps env_file, and profiles as they are (portmate has compose's rules for them)", () => {
    const dir = tempProject({
      "compose.yaml":
        "services:\n  api:\n    command: node api.js\n    env_file: [.env, {path: api.env}]\n  debug:\n    command: node debug.js\n    profiles: [debug]\n",
    });
    writeFileSync(join(dir, "api.env"), "A=1\n");
    const [api, debug] = fromCompose(join(dir, "compose.yaml"), dir).services;
    expect(api?.env_file).toEqual(["api.env"]);
    expect(api?.notes).toContainEqual(".env: not there yet; add it as env_file once it is".replace(/^/, "env_file "));
    expect(debug?.profiles).toEqual(["debug"]);
    expect(debug?.disabled).toBeUndefined();
  });
});

describe("fromCompose on exposed ports", () => {
  it("takes a port only exposed to the other services as the service's port, and rewires the addresses of it", () => {
    const dir = tempProject({
      "compose.yaml":
        "services:\n  api:\n    command: node api.js --port 3000\n    expose: ['3000']\n  web:\n    command: node web.js\n    environment: [API=http://api:3000]\n",
    });
    const [api, web] = fromCompose(join(dir, "compose.yaml"), dir).services;
    expect(api).toMatchObject({ command: "node api.js --port ${port}" });
    expect(api?.port).toBeUndefined();
    expect(web?.env).toEqual({ API: "${services.api.url}" });
  });
});

describe("init's text of a compose file", () => {
  it("writes lists on their key's line, and the file validates with its profiles", () => {
    const dir = tempProject({
      "compose.yaml":
        "services:\n  api:\n    command: node api.js\n    env_file: [a.env, b.env]\n  debug:\n    command: node debug.js\n    profiles: [debug, tools]\n",
    });
    writeFileSync(join(dir, "a.env"), "A=1\n");
    writeFileSync(join(dir, "b.env"), "B=2\n");
    const text = renderConfig(fromCompose(join(dir, "compose.yaml"), dir));
    expect(text).toContain("    env_file: [ a.env, b.env ]\n");
    expect(text).toContain("    profiles: [ debug, tools ]\n");
    writeFileSync(join(dir, "portmate.yaml"), text);
    const { config } = loadConfig({ cwd: dir, commandsRunHere: false });
    expect(config.services.get("debug")?.profiles).toEqual(["debug", "tools"]);
    expect(config.services.get("api")?.envFiles).toHaveLength(2);
  });
});
