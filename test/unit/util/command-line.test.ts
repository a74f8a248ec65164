import { describe, expect, it } from "vitest";
import { splitCommandLine, splitCommandWords } from "../../../src/util/command-line.js";

describe("splitting a command line", () => {
  it.each([
    ["node server.js --port 8000", ["node", "server.js", "--port", "8000"]],
    ["  spaced   out  ", ["spaced", "out"]],
    [`node -e "console.log('hi there')"`, ["node", "-e", "console.log('hi there')"]],
    [`echo 'single "quoted" text'`, ["echo", `single "quoted" text`]],
    [`echo "a \\"b\\" c"`, ["echo", `a "b" c`]],
    [`echo a\\ b`, ["echo", "a b"]],
    [`echo ""`, ["echo", ""]],
    ["serve --url ${services.api.url}", ["serve", "--url", "${services.api.url}"]],
    ["greet ${GREETING:-hello world}", ["greet", "${GREETING:-hello world}"]],
    ["x --a=${A:-${B:-c d}}", ["x", "--a=${A:-${B:-c d}}"]],
  ])("%s", (text, expected) => {
    expect(splitCommandLine(text)).toEqual(expected);
  });

  it.each([
    [`node -e "oops`, /unclosed double quote/],
    [`node -e 'oops`, /unclosed single quote/],
    ["node ${port", /unclosed/],
  ])("rejects %s", (text, message) => {
    expect(() => splitCommandLine(text)).toThrow(message);
  });

  it.each([
    ["uvicorn app:app ${FLAGS}", [false, false, true]],
    ['uvicorn app:app "${FLAGS}"', [false, false, false]],
    ["x ${A}${B} --a=${A} '${A}' \\${A}", [false, true, false, false, false]],
  ])("tells which arguments of %s are bare templates, dropped when empty as a shell does", (text, bare) => {
    expect(splitCommandWords(text).map((word) => word.bare)).toEqual(bare);
  });
});
