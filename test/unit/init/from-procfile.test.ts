import { describe, expect, it } from "vitest";
import { fromProcfile } from "../../../src/init/from-procfile.js";

const PROCFILE = `# processes
web: bundle exec puma -C config/puma.rb -p $PORT
worker: bundle exec sidekiq
clock: bundle exec clockwork clock.rb
js: yarn build --watch
release: bundle exec rails db:migrate
`;

describe("fromProcfile", () => {
  const draft = fromProcfile(PROCFILE, "Procfile", undefined);
  const service = (name: string) => draft.services.find((candidate) => candidate.name === name);

  it("has one service per process line, comments skipped, in file order", () => {
    expect(draft.services.map((candidate) => candidate.name)).toEqual(["web", "worker", "clock", "js", "release"]);
  });

  it("wires $PORT and guesses an HTTP check for web", () => {
    expect(service("web")).toMatchObject({ command: "bundle exec puma -C config/puma.rb -p ${port}", health: { http: "/" } });
    expect(service("web")?.guesses.health).toBeDefined();
    expect(service("web")?.notes).toEqual(["Procfile: web: bundle exec puma -C config/puma.rb -p $PORT"]);
  });

  it("gives processes without a port `port: none`, marked as a guess", () => {
    for (const name of ["worker", "clock", "js"]) expect(service(name)).toMatchObject({ port: "none", guesses: { port: expect.any(String) } });
  });

  it("writes Heroku's release process disabled", () => {
    expect(service("release")).toMatchObject({ disabled: true, port: "none" });
  });

  it("runs a line with shell syntax through the shell, and keeps the folder it was read in", () => {
    const shelled = fromProcfile("web: cd api && node server.js\n", "api/Procfile", "api");
    expect(shelled.services[0]).toMatchObject({ shell: true, cwd: "api" });
  });
});
