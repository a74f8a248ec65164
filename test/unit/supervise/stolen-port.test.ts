import { describe, expect, it } from "vitest";
import { ADDRESS_IN_USE } from "../../../src/supervise/stolen-port.js";

describe("a service saying its port is taken", () => {
  it.each([
    ["Node", "Error: listen EADDRINUSE: address already in use :::3000"],
    ["Python on Linux", "OSError: [Errno 98] Address already in use"],
    ["Python on macOS", "OSError: [Errno 48] Address already in use"],
    ["Go", "listen tcp :8080: bind: address already in use"],
    ["nginx", "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)"],
    ["Streamlit", "Port 8501 is not available"],
    ["Vite", "Error: Port 5173 is already in use"],
    ["Django", "Error: That port is already in use."],
    ["Gradio", "OSError: Cannot find empty port in range: 7860-7860."],
    ["Werkzeug and Next.js", "Port 3000 is in use by another program."],
  ])("is heard in %s's words", (_server, line) => {
    expect(ADDRESS_IN_USE.test(line)).toBe(true);
  });

  it.each(["Listening on port 3000", "Port 3000 is free", "connect ECONNREFUSED 127.0.0.1:5432", "EADDRNOTAVAIL", "the port is used for metrics"])(
    "is not heard in %j",
    (line) => {
      expect(ADDRESS_IN_USE.test(line)).toBe(false);
    },
  );
});
