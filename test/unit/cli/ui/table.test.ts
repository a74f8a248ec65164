import { describe, expect, it } from "vitest";
import { formatTable, servicesTable } from "../../../../src/cli/ui/table.js";
import { formatPorts } from "../../../../src/stack/format-ports.js";
import { serviceInfo as info } from "../../../support/services.js";

describe("tables", () => {
  it("aligns columns two spaces apart, without padding the last one", () => {
    expect(
      formatTable(
        ["NAME", "PORT", "NOTE"],
        [
          ["backend", "8000", ""],
          ["ui", "", "long note"],
        ],
      ).split("\n"),
    ).toEqual(["NAME     PORT  NOTE", "backend  8000", "ui             long note"]);
  });

  it("writes ports as one number, several named ones, or a dash", () => {
    expect(formatPorts({ ports: { default: 8000 } })).toBe("8000");
    expect(formatPorts({ ports: { http: 8002, metrics: 8003 } })).toBe("8002 (http), 8003 (metrics)");
    expect(formatPorts({ ports: {} })).toBe("-");
  });

  it("shows the services `up` started, with a PUBLIC URL column only when a tunnel is open", () => {
    const migrate = info("migrate", { pid: undefined, port: undefined, ports: {}, url: undefined });
    expect(servicesTable([info("backend"), migrate]).split("\n")).toEqual([
      "SERVICE  PID   PORT  URL",
      "backend  4242  8000  http://127.0.0.1:8000",
      "migrate  -     -     -",
    ]);
    const [header, backend, other] = servicesTable([info("backend", { publicUrl: "https://abc.example" }), migrate]).split("\n");
    expect(header).toBe("SERVICE  PID   PORT  URL                    PUBLIC URL");
    expect(backend).toBe("backend  4242  8000  http://127.0.0.1:8000  https://abc.example");
    expect(other).toBe("migrate  -     -     -                      -");
  });
});
