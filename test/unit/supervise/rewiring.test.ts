import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { buildPlan } from "../../../src/plan/build.js";
import { portKey } from "../../../src/plan/names.js";
import { portRequests } from "../../../src/plan/port-requests.js";
import { renderService } from "../../../src/plan/render.js";
import { selectServices } from "../../../src/plan/select-services.js";
import type { Wiring } from "../../../src/plan/types.js";
import { sameWiring } from "../../../src/supervise/rewiring.js";
import { tempProject, yaml } from "../../support/helpers.js";
import { plannedService } from "../../support/services.js";

const SHOP = yaml`
  name: shop
  services:
    backend:
      command: node backend.js --port \${port}
      health: {http: /health}
    ui:
      command: node ui.js
      env:
        API_URL: \${services.backend.url}
    worker:
      command: node worker.js --api-port \${services.backend.port}
    admin:
      command: node admin.js
      depends_on: [backend]
    docs:
      command: node docs.js --port \${port}
`;

/** The wiring of `instances` instances of the shop, ports handed out from 20000 in request order. */
function wiring(instances = 1): Wiring {
  const { config } = loadConfig({ cwd: tempProject({ "portmate.yaml": SHOP }), env: {} });
  const services = selectServices(config);
  const ports = new Map(portRequests(services, instances).map((request, index) => [request.key, 20_000 + index]));
  return buildPlan(config, services, instances, ports).wiring;
}

/** Which services of `instance` would run differently after `change` to the wiring: the ones to restart. */
function restartedBy(wired: Wiring, change: (wiring: Wiring) => void, instance = 1): string[] {
  const names = wired.services.map((service) => service.name);
  const before = names.map((name) => renderService(wired, name, instance));
  change(wired);
  return before.filter((current) => !sameWiring(current, renderService(wired, current.name, instance), new Set())).map((service) => service.id);
}

describe("rewiring after a port changes", () => {
  it("restarts what refers to the port in its command or env, or depends on its service, and nothing else", () => {
    const moved = restartedBy(wiring(), (wired) => void (wired.ports[portKey(1, "backend", "default")] = 21_000));
    // backend itself runs with the new port; ui has its URL, worker its port, admin its BACKEND_PORT.
    expect(moved).toEqual(["backend", "ui", "worker", "admin"]);
  });

  it("restarts only the service whose own port nothing refers to", () => {
    expect(restartedBy(wiring(), (wired) => void (wired.ports[portKey(1, "docs", "default")] = 21_000))).toEqual(["docs"]);
  });

  it("leaves the other instances alone", () => {
    const wired = wiring(2);
    expect(restartedBy(wired, (next) => void (next.ports[portKey(1, "backend", "default")] = 21_000), 2)).toEqual([]);
  });

  it("sees an announced URL as a change wherever the service's URL or its discovery variables reach", () => {
    const moved = restartedBy(wiring(), (wired) => void (wired.urls["1/backend"] = "http://127.0.0.1:20000/api"));
    // ui has it in API_URL; backend, worker and admin in BACKEND_URL; docs knows nothing of backend.
    expect(moved).toEqual(["backend", "ui", "worker", "admin"]);
  });
});

describe("the same wiring", () => {
  const service = (env: Record<string, string>, fields = {}) => plannedService({ env, ...fields });

  it("is the same command, folder and environment", () => {
    expect(sameWiring(service({ A: "1" }), service({ A: "1" }), new Set())).toBe(true);
    expect(sameWiring(service({ A: "1" }), service({ A: "2" }), new Set())).toBe(false);
    expect(sameWiring(service({}), service({}, { cwd: "/elsewhere" }), new Set())).toBe(false);
    expect(sameWiring(service({}), service({}, { command: { shell: true, script: "node server.js" } }), new Set())).toBe(false);
  });

  it("is different when a variable went away", () => {
    expect(sameWiring(service({ A: "1", B: "2" }), service({ A: "1" }), new Set())).toBe(false);
  });

  it("ignores a variable learned from an announcement the service never had, but not one it had with another value", () => {
    const learned = new Set(["API_PORT", "API_URL"]);
    expect(sameWiring(service({ A: "1" }), service({ A: "1", API_PORT: "9000" }), learned)).toBe(true);
    expect(sameWiring(service({ A: "1" }), service({ A: "1", API_PORT: "9000" }), new Set())).toBe(false);
    expect(sameWiring(service({ API_PORT: "8000" }), service({ API_PORT: "9000" }), learned)).toBe(false);
    expect(sameWiring(service({}), service({ OTHER: "x" }), learned)).toBe(false);
  });
});
