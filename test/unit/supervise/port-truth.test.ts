import { describe, expect, it } from "vitest";
import type { PlannedService } from "../../../src/plan/types.js";
import { elsewhereReason } from "../../../src/supervise/port-truth.js";

describe("a service listening elsewhere than on its port", () => {
  it("hints the port flag of each known server by its command", () => {
    const service = (line: string) => ({ ports: { default: 8600 }, command: { shell: true, script: line } }) as unknown as PlannedService;
    expect(elsewhereReason([8501], service("streamlit run app.py"))).toBe(
      "listens on 8501, not on its port 8600: does its command pass ${port}? (streamlit: --server.port ${port})",
    );
    expect(elsewhereReason([8000], service("python manage.py runserver"))).toMatch(/\(manage\.py runserver \$\{host\}:\$\{port\}\)$/);
    expect(elsewhereReason([5000, 5001], service("./server"))).toMatch(/^listens on 5000, 5001, not on its port 8600: .* \(or \$PORT, which it is given\)$/);
  });
});
