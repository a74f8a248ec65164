import { describe, expect, it } from "vitest";
import { withPort } from "../../../src/init/port-flags.js";

describe("withPort: how a known server is told its port", () => {
  it.each([
    ["vite", "vite --host ${host} --port ${port} --strictPort", "vite"],
    ["next dev", "next dev -p ${port}", "next"],
    ["uvicorn app.main:app --reload", "uvicorn app.main:app --reload --host ${host} --port ${port}", "uvicorn"],
    ["flask --app hello run", "flask --app hello run --port ${port}", "flask"],
    ["python manage.py runserver", "python manage.py runserver ${host}:${port}", "django"],
    ["bin/rails server", "bin/rails server -p ${port}", "rails"],
    ["streamlit run app.py", "streamlit run app.py --server.port ${port} --server.headless true", "streamlit"],
    ["gunicorn app:app", "gunicorn app:app --bind ${host}:${port}", "gunicorn"],
  ])("%s → %s", (line, command, server) => {
    const ported = withPort(line);
    expect(ported).toMatchObject({ command, server, listens: true });
    expect(ported.guess).toMatch(/takes its port/);
  });

  it("gives gradio its port in GRADIO_SERVER_PORT", () => {
    expect(withPort("gradio app.py")).toMatchObject({ command: "gradio app.py", env: { GRADIO_SERVER_PORT: "${port}" }, listens: true });
  });

  it.each([
    ["node server.js --port $PORT", "node server.js --port ${port}", undefined],
    ["bundle exec puma -p ${PORT:-3000}", "bundle exec puma -p ${port}", 3000],
  ])("turns $PORT into ${port}, with no guess: %s", (line, command, preferred) => {
    const ported = withPort(line);
    expect(ported).toMatchObject({ command, listens: true });
    expect(ported.preferred).toBe(preferred);
    expect(ported.guess).toBeUndefined();
  });

  it.each([
    ["uvicorn main:app --host 0.0.0.0 --port 8000", "uvicorn main:app --host ${host} --port ${port}", 8000],
    ["python manage.py runserver 0.0.0.0:8001", "python manage.py runserver ${host}:${port}", 8001],
    ["gunicorn -b 0.0.0.0:5000 app:app", "gunicorn -b ${host}:${port} app:app", 5000],
    ["streamlit run app.py --server.port 8501", "streamlit run app.py --server.port ${port}", 8501],
  ])("takes a port number it was given as the preferred port: %s", (line, command, preferred) => {
    expect(withPort(line)).toMatchObject({ command, preferred, listens: true, guess: expect.stringMatching(`was port ${preferred}`) });
  });

  it("leaves a build and an unknown program alone", () => {
    expect(withPort("vite build")).toEqual({ command: "vite build", listens: false });
    expect(withPort("next build")).toEqual({ command: "next build", listens: false });
    expect(withPort("bundle exec sidekiq")).toEqual({ command: "bundle exec sidekiq", listens: false });
  });

  it("forwards the arguments where the caller says (npm run dev -- …)", () => {
    expect(withPort("vite", (args) => `npm run dev -- ${args}`).command).toBe("npm run dev -- --host ${host} --port ${port} --strictPort");
  });

  it("keeps a host the command names", () => {
    expect(withPort("npx vite --host 0.0.0.0").command).toBe("npx vite --host ${host} --port ${port} --strictPort");
  });
});
