import { yaml } from "./helpers.js";

/**
 * Invalid configs, each with where its first problem must be reported. Shared by the library test
 * (config-invalid) and the CLI test (cli-config-errors).
 */

/** A service whose start would leave a file behind: proof that nothing started when none is found. */
export const MARK = `node marker.js`;
export const MARKER_JS = `require("fs").writeFileSync("started-" + process.pid, "");`;

export interface ConfigCase {
  name: string;
  text: string;
  /** line:col of the first issue. */
  at: string;
  path: string;
  message: RegExp;
  hint?: RegExp;
}

export const cases: ConfigCase[] = [
  {
    name: "bad YAML (unclosed flow sequence)",
    text: yaml`
      services:
        api:
          command: [node, x.js
    `,
    at: "4:1",
    path: "",
    message: /invalid YAML/,
  },
  {
    name: "two YAML documents in one file",
    text: yaml`
      services:
        api:
          command: ${MARK}
      ---
      services: {}
    `,
    at: "4:1",
    path: "",
    message: /^invalid YAML: a config is one document: this `---` starts a second one/,
  },
  {
    name: "duplicate key",
    text: yaml`
      services:
        api:
          command: ${MARK}
          command: ${MARK}
    `,
    at: "4:5",
    path: "",
    message: /invalid YAML: map keys must be unique/,
  },
  {
    name: "wrong type for port",
    text: yaml`
      services:
        api:
          command: ${MARK}
          port: "80x"
    `,
    at: "4:11",
    path: "services.api.port",
    message: /must be a port number \(1-65535\), `auto` or `none`, got "80x"/,
  },
  {
    name: "port out of bounds",
    text: yaml`
      services:
        api:
          command: ${MARK}
          port: 70000
    `,
    at: "4:11",
    path: "services.api.port",
    message: /must be a port number/,
  },
  {
    name: "unknown service key",
    text: yaml`
      services:
        api:
          command: ${MARK}
          helth:
            http: /health
    `,
    at: "4:5",
    path: "services.api.helth",
    message: /unknown key "helth" \(did you mean "health"\?\)/,
    hint: /known keys here: command, args/,
  },
  {
    name: "compose's environment",
    text: yaml`
      services:
        api:
          command: ${MARK}
          environment:
            DEBUG: "1"
    `,
    at: "4:5",
    path: "services.api.environment",
    message: /^unknown key "environment" \(docker compose's\): portmate says `env:`, a map: `env: \{DEBUG: "1"\}`$/,
  },
  {
    name: "compose's working_dir",
    text: yaml`
      services:
        api:
          command: ${MARK}
          working_dir: ./api
    `,
    at: "4:5",
    path: "services.api.working_dir",
    message: /unknown key "working_dir" \(docker compose's\): portmate says `cwd:`/,
  },
  {
    name: "compose's healthcheck",
    text: yaml`
      services:
        api:
          command: ${MARK}
          healthcheck:
            test: ["CMD", "curl", "-f", "http://localhost"]
    `,
    at: "4:5",
    path: "services.api.healthcheck",
    message: /unknown key "healthcheck" \(docker compose's\): portmate says `health:`, one check: `health: \{http: \/health\}`/,
  },
  {
    name: "compose's test inside health",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            test: ["CMD", "pg_isready"]
    `,
    at: "5:7",
    path: "services.api.health.test",
    message: /unknown key "test" \(docker compose's\): portmate says `command:`/,
  },
  {
    name: "compose's ports list",
    text: yaml`
      services:
        api:
          command: ${MARK}
          ports: ["8000:8000"]
    `,
    at: "4:12",
    path: "services.api.ports",
    message: /^portmate's `ports:` is a map, not compose's list: `port: 8000` \(a preference/,
  },
  {
    name: "compose's ports list of several",
    text: yaml`
      services:
        api:
          command: ${MARK}
          ports:
            - "127.0.0.1:8080:80"
            - 9100/tcp
    `,
    at: "5:7",
    path: "services.api.ports",
    message: /`ports: \{p1: 80, p2: 9100\}`/,
  },
  {
    name: "compose's version",
    text: yaml`
      version: "3.8"
      services:
        api:
          command: ${MARK}
    `,
    at: "1:1",
    path: "version",
    message: /^unknown key "version" \(docker compose's\): portmate.yaml has no version: remove it$/,
  },
  {
    name: "unknown top-level key",
    text: yaml`
      service:
        api:
          command: ${MARK}
    `,
    at: "1:1",
    path: "",
    message: /missing required key "services"|unknown key "service"/,
  },
  {
    name: "missing command",
    text: yaml`
      services:
        api:
          port: 8000
    `,
    at: "3:5",
    path: "services.api",
    message: /missing required key "command"/,
  },
  {
    name: "wrong type for env value",
    text: yaml`
      services:
        api:
          command: ${MARK}
          env:
            LIST: [1, 2]
    `,
    at: "5:13",
    path: "services.api.env.LIST",
    message: /must be a string, a number or a boolean, got a list/,
  },
  {
    name: "unknown dependency",
    text: yaml`
      services:
        backend:
          command: ${MARK}
        ui:
          command: ${MARK}
          depends_on: [backnd]
    `,
    at: "6:18",
    path: "services.ui.depends_on",
    message: /unknown service "backnd" \(did you mean "backend"\?\)/,
  },
  {
    name: "unknown dependency condition",
    text: yaml`
      services:
        backend:
          command: ${MARK}
        ui:
          command: ${MARK}
          depends_on: {backend: ready}
    `,
    at: "6:27",
    path: "services.ui.depends_on.backend",
    message: /must be one of `started`, `healthy`, `completed`, got "ready"/,
  },
  {
    name: "dependency cycle",
    text: yaml`
      services:
        a:
          command: ${MARK}
          depends_on: [b]
        b:
          command: ${MARK}
          depends_on: [c]
        c:
          command: ${MARK}
          depends_on: [a]
    `,
    at: "4:17",
    path: "services.a.depends_on",
    message: /dependency cycle: a → b → c → a/,
  },
  {
    name: "template refers to an unknown service",
    text: yaml`
      services:
        backend:
          command: ${MARK}
        ui:
          command: ${MARK}
          env:
            API_URL: \${services.backnd.url}
    `,
    at: "7:16",
    path: "services.ui.env.API_URL",
    message: /unknown service "backnd" \(did you mean "backend"\?\)/,
  },
  {
    name: "template refers to an unknown named port",
    text: yaml`
      services:
        admin:
          command: ${MARK}
          ports: {http: auto, metrics: auto}
        scraper:
          command: ${MARK} --target \${services.admin.ports.metric}
    `,
    at: "6:14",
    path: "services.scraper.command",
    message: /service "admin" has no port named "metric" \(its ports: http, metrics\)/,
  },
  {
    name: "template needs the port of a service without one",
    text: yaml`
      services:
        worker:
          command: ${MARK} --port \${port}
          port: none
    `,
    at: "3:14",
    path: "services.worker.command",
    message: /service "worker" has no port \(it has `port: none`\)/,
  },
  {
    name: "template needs the URL of a service that has none (not HTTP, no url:)",
    text: yaml`
      services:
        cache:
          command: redis-server --port \${port}
        api:
          command: ${MARK}
          env: {CACHE: "\${services.cache.url}"}
    `,
    at: "6:18",
    path: "services.api.env.CACHE",
    message: /service "cache" has no URL: it is not checked over HTTP, and no `http:\/\/` is guessed; give it `url:`/,
  },
  {
    name: "url that is no URL",
    text: yaml`
      services:
        cache:
          command: redis-server --port \${port}
          url: 127.0.0.1:6379
    `,
    at: "4:10",
    path: "services.cache.url",
    message: /must be a URL that starts with its scheme/,
  },
  {
    name: "unknown template field",
    text: yaml`
      services:
        api:
          command: [node, marker.js, "\${services.api.uri}"]
    `,
    at: "3:32",
    path: "services.api.command[2]",
    message: /unknown reference "\$\{services\.api\.uri\}"/,
  },
  {
    name: "malformed template",
    text: yaml`
      services:
        api:
          command: ${MARK}
          args: ["\${}"]
    `,
    at: "4:12",
    path: "services.api.args[0]",
    message: /"\$\{\}" is not a valid reference or variable name/,
  },
  {
    name: "required variable unset",
    text: yaml`
      services:
        api:
          command: ${MARK}
          env:
            TOKEN: \${PORTMATE_TEST_SURELY_UNSET:?set it in .env}
    `,
    at: "5:14",
    path: "services.api.env.TOKEN",
    message: /PORTMATE_TEST_SURELY_UNSET is required: set it in \.env/,
  },
  {
    name: "duration without unit",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            tcp: true
            timeout: 30
    `,
    at: "6:16",
    path: "services.api.health.timeout",
    message: /must be a duration like `250ms`, `5s` or `1m`, got 30/,
  },
  {
    name: "negative duration",
    text: yaml`
      services:
        api:
          command: ${MARK}
          stop_timeout: -1s
    `,
    at: "4:19",
    path: "services.api.stop_timeout",
    message: /must be a duration like `250ms`, `5s` or `1m`, got "-1s"/,
  },
  {
    name: "inverted port range",
    text: yaml`
      ports:
        range: 9000-8000
      services:
        api:
          command: ${MARK}
    `,
    at: "2:10",
    path: "ports.range",
    message: /port range "9000-8000" is inverted/,
    hint: /8000-9000/,
  },
  {
    name: "port range out of bounds",
    text: yaml`
      ports:
        range: 60000-70000
      services:
        api:
          command: ${MARK}
    `,
    at: "2:10",
    path: "ports.range",
    message: /out of bounds/,
  },
  {
    name: "port range not a range",
    text: yaml`
      ports:
        range: lots
      services:
        api:
          command: ${MARK}
    `,
    at: "2:10",
    path: "ports.range",
    message: /must be a port range like `8000-9000`, got "lots"/,
  },
  {
    name: "the same preferred port twice",
    text: yaml`
      services:
        a:
          command: ${MARK}
          port: 8123
        b:
          command: ${MARK}
          port: 8123
    `,
    at: "7:11",
    path: "services.b.port",
    message: /port 8123 is already preferred by services\.a\.port/,
  },
  {
    name: "two health checks",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            http: /health
            tcp: true
    `,
    at: "5:7",
    path: "services.api.health",
    message: /has `http` and `tcp`: give exactly one check/,
  },
  {
    name: "unknown stop signal",
    text: yaml`
      services:
        api:
          command: ${MARK}
          stop_signal: SIGFOO
    `,
    at: "4:18",
    path: "services.api.stop_signal",
    message: /unknown signal "SIGFOO"/,
  },
  {
    name: "invalid profile name",
    text: yaml`
      services:
        api:
          command: ${MARK}
          profiles: [debug, "with space"]
    `,
    at: "4:23",
    path: "services.api.profiles[1]",
    message: /must be a profile name: letters, digits, `_`, `.` and `-`, starting with a letter or digit, got "with space"/,
  },
  {
    name: "profiles not a list",
    text: yaml`
      services:
        api:
          command: ${MARK}
          profiles: debug
    `,
    at: "4:15",
    path: "services.api.profiles",
    message: /must be a list, got "debug"/,
  },
  {
    name: "profile name that is a number",
    text: yaml`
      services:
        api:
          command: ${MARK}
          profiles: [1]
    `,
    at: "4:16",
    path: "services.api.profiles[0]",
    message: /must be a string, got 1/,
  },
  {
    name: "invalid log regex",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            log: "ready ([a-"
    `,
    at: "5:12",
    path: "services.api.health.log",
    message: /is not a valid regular expression/,
  },
  {
    name: "unclosed quote in command",
    text: yaml`
      services:
        api:
          command: node -e "console.log(1)
    `,
    at: "3:14",
    path: "services.api.command",
    message: /cannot be split into arguments: unclosed double quote/,
  },
  {
    name: "program not found",
    text: yaml`
      services:
        api:
          command: nodee marker.js
    `,
    at: "3:14",
    path: "services.api.command",
    message: /"nodee" is not a command found on PATH/,
  },
  {
    name: "tunnel: a provider name that is not a shorthand",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: localtunnel
    `,
    at: "4:13",
    path: "services.api.tunnel",
    message: /must be `ngrok`, or a map/,
  },
  {
    name: "tunnel: ssh without a host",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { provider: ssh, user: me }
    `,
    at: "4:13",
    path: "services.api.tunnel",
    message: /an ssh tunnel needs the `host`/,
  },
  {
    name: "tunnel: ngrok with a key of another provider",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel:
            provider: ngrok
            host: example.com
    `,
    at: "6:7",
    path: "services.api.tunnel.host",
    message: /`host` is for ssh tunnels, and this one is ngrok/,
  },
  {
    name: "tunnel: an ngrok domain that is no domain",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { provider: ngrok, domain: "my app" }
    `,
    at: "4:40",
    path: "services.api.tunnel.domain",
    message: /must be a domain such as `demo.ngrok.app`/,
  },
  {
    name: "tunnel: an unknown key",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { provider: ngrok, domian: demo.ngrok.app }
    `,
    at: "4:32",
    path: "services.api.tunnel.domian",
    message: /unknown key "domian" \(did you mean "domain"\?\)/,
  },
  {
    name: "tunnel: neither provider nor command",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { required: true }
    `,
    at: "4:13",
    path: "services.api.tunnel",
    message: /says neither which provider/,
  },
  {
    name: "tunnel: a command without url_pattern",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { command: "bore local \${port} --to bore.pub" }
    `,
    at: "4:13",
    path: "services.api.tunnel",
    message: /a command tunnel needs `url_pattern`/,
  },
  {
    name: "tunnel: url_pattern that is no regular expression",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { command: "bore local \${port}", url_pattern: "https://(" }
    `,
    at: "4:59",
    path: "services.api.tunnel.url_pattern",
    message: /is not a valid regular expression/,
  },
  {
    name: "tunnel: a port name the service does not have",
    text: yaml`
      services:
        api:
          command: ${MARK}
          ports: { http: auto, metrics: auto }
          tunnel: { provider: ngrok, target: admin }
    `,
    at: "5:40",
    path: "services.api.tunnel.target",
    message: /the service has no port named "admin" \(its ports: http, metrics\)/,
  },
  {
    name: "tunnel: a service without a port",
    text: yaml`
      services:
        api:
          command: ${MARK}
          port: none
          tunnel: ngrok
    `,
    at: "5:5",
    path: "services.api.tunnel",
    message: /a tunnel needs a port to forward, but the service has `port: none`/,
  },
  {
    name: "tunnel: verify that is no path",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { provider: ngrok, verify: health }
    `,
    at: "4:40",
    path: "services.api.tunnel.verify",
    message: /must be a path such as `\/health`, or false/,
  },
  {
    name: "tunnel: an ssh url with another template than remote_port",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { provider: ssh, host: example.com, url: "https://\${port}.example.com" }
    `,
    at: "4:54",
    path: "services.api.tunnel.url",
    message: /only `\$\{remote_port\}` is filled in here, not `\$\{port\}`/,
  },
  {
    name: "tunnel: a template in its command that refers to nothing",
    text: yaml`
      services:
        api:
          command: ${MARK}
          tunnel: { command: "bore local \${ports.admin}", url_pattern: 'bore.pub:\\d+' }
    `,
    at: "4:24",
    path: "services.api.tunnel.command",
    message: /admin/,
  },
  {
    name: "unknown restart policy",
    text: yaml`
      services:
        api:
          command: ${MARK}
          restart: sometimes
    `,
    at: "4:14",
    path: "services.api.restart",
    message: /must be `no`, `on-failure`, `always` \(or `unless-stopped`\), or a map/,
  },
  {
    name: "port and ports together",
    text: yaml`
      services:
        api:
          command: ${MARK}
          port: 8000
          ports: {http: auto}
    `,
    at: "5:5",
    path: "services.api.ports",
    message: /use either `port` or `ports`, not both/,
  },
  {
    name: "missing env file",
    text: yaml`
      env_file: missing.env
      services:
        api:
          command: ${MARK}
    `,
    at: "1:11",
    path: "env_file",
    message: /env file "missing.env" does not exist/,
  },
  {
    name: "no services",
    text: yaml`
      services: {}
    `,
    at: "1:11",
    path: "services",
    message: /must not be empty/,
  },
  {
    name: "invalid service name",
    text: yaml`
      services:
        "my api":
          command: ${MARK}
    `,
    at: "2:3",
    path: "services.my api",
    message: /"my api" is not a valid name/,
  },
  {
    name: "http check on a service without port",
    text: yaml`
      services:
        api:
          command: ${MARK}
          port: none
          health:
            http: /health
    `,
    at: "6:13",
    path: "services.api.health.http",
    message: /a `http` check needs a port, but the service has `port: none`/,
  },
  {
    name: "a port number on a service that announces its own",
    text: yaml`
      services:
        api:
          command: ${MARK}
          announce: true
          port: 8000
    `,
    at: "5:5",
    path: "services.api.port",
    message: /a service with `announce: true` chooses its own port, so it cannot have `port: 8000`/,
  },
  {
    name: "a service that announces its port refers to it in its command",
    text: yaml`
      services:
        api:
          command: ${MARK} --port \${port}
          announce: true
    `,
    at: "3:14",
    path: "services.api.command",
    message: /refers to the service's own port, which it announces/,
  },
  {
    name: "an alias without its anchor",
    text: yaml`
      services:
        api:
          command: ${MARK}
          env: *common
    `,
    at: "4:10",
    path: "",
    message: /invalid YAML: alias \*common refers to no anchor &common before it/,
  },
  {
    name: "aliases that expand without end (a billion laughs)",
    text: yaml`
      x-a: &a [x, x, x, x, x, x, x, x, x, x]
      x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
      services:
        api:
          command: ${MARK}
          x-big: *d
    `,
    at: "8:12",
    path: "",
    message: /invalid YAML: aliases expand to too much data/,
  },
  {
    name: "a key that is a list",
    text: yaml`
      services:
        ? [api, ui]
        : command: ${MARK}
    `,
    at: "2:5",
    path: "",
    message: /a key must be a name, not a list/,
  },
  {
    name: "a key with a line break in it",
    text: yaml`
      services:
        "a\\nb":
          command: ${MARK}
    `,
    at: "2:3",
    path: "services.a\\nb",
    message: /^"a\\nb" is not a valid name/,
  },
  {
    name: "a duration longer than a timer can wait",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            timeout: 1000h
    `,
    at: "5:16",
    path: "services.api.health.timeout",
    message: /must be at most 596h 31m \(the longest a timer can wait\), got "1000h"/,
  },
  {
    name: "a health check every 0ms",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            interval: 0ms
    `,
    at: "5:17",
    path: "services.api.health.interval",
    message: /must be at least 1ms, got "0ms"/,
    hint: /without a pause/,
  },
  {
    name: "a key that is a binary value",
    text: yaml`
      !!binary bmFtZQ==: demo
      services:
        api:
          command: ${MARK}
    `,
    at: "1:10",
    path: "",
    message: /a key must be a name, not a !!binary value/,
  },
  {
    name: "lists nested deeper than any config needs",
    text: yaml`
      services:
        api:
          command: ${MARK}
          env: ${"[".repeat(98)}${"]".repeat(98)}
    `,
    at: "4:107",
    path: "",
    message: /invalid YAML: lists and maps nested more than 100 levels deep/,
  },
  {
    name: "a template naming a property every object has",
    text: yaml`
      services:
        api:
          command: ${MARK} \${ports.constructor}
    `,
    at: "3:14",
    path: "services.api.command",
    message: /service "api" has no port named "constructor" \(its ports: default\)/,
  },
  {
    name: "a service key named like a property every object has",
    text: yaml`
      services:
        api:
          command: ${MARK}
          __proto__: {}
    `,
    at: "4:5",
    path: "services.api.__proto__",
    message: /^unknown key "__proto__"$/,
  },
  {
    name: "liveness after no failure at all",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            http: /health
            liveness: {interval: 5s, failures: 0}
    `,
    at: "6:42",
    path: "services.api.health.liveness.failures",
    message: /^must be a whole number of 1 or more, got 0$/,
  },
  {
    name: "a liveness interval that is not a duration",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            liveness:
              interval: often
    `,
    at: "6:19",
    path: "services.api.health.liveness.interval",
    message: /^must be a duration like `250ms`, `5s` or `1m`, got "often"$/,
  },
  {
    name: "liveness checks without a pause",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            liveness: {interval: 0s}
    `,
    at: "5:28",
    path: "services.api.health.liveness.interval",
    message: /^must be at least 1ms, got "0s"$/,
    hint: /without a pause/,
  },
  {
    name: "liveness of a check that cannot be repeated",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            log: listening
            liveness: true
    `,
    at: "6:7",
    path: "services.api.health.liveness",
    message: /^needs an `http`, `tcp` or `command` check to repeat, but a `log` check matches a line once/,
  },
  {
    name: "liveness that is neither true nor a map",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health:
            liveness: yes please
    `,
    at: "5:17",
    path: "services.api.health.liveness",
    message: /^must be `true`, `false` or a map with `interval`, `timeout` and `failures`, got "yes please"$/,
  },
  {
    name: "watch: a path outside the config's folder",
    text: yaml`
      services:
        api:
          command: ${MARK}
          watch: [src, ../shared]
    `,
    at: "4:18",
    path: "services.api.watch[1]",
    message: /"\.\.\/shared" is outside the config's folder/,
    hint: /relative to the folder of portmate\.yaml/,
  },
  {
    name: "watch: both rebuild and signal",
    text: yaml`
      services:
        api:
          command: ${MARK}
          watch: {paths: src, rebuild: make, signal: HUP}
    `,
    at: "4:40",
    path: "services.api.watch.signal",
    message: /use either `rebuild` \(then restart\) or `signal`/,
  },
  {
    name: "watch: a map without paths",
    text: yaml`
      services:
        api:
          command: ${MARK}
          watch: {debounce: 1s}
    `,
    at: "4:12",
    path: "services.api.watch",
    message: /must be a path or glob, a list of them, or a map with `paths`/,
  },
  {
    name: "proxy: a word instead of true or a map",
    text: yaml`
      proxy: yes please
      services:
        api:
          command: ${MARK}
    `,
    at: "1:8",
    path: "proxy",
    message: /must be true, false or a map such as `\{https: true\}`/,
  },
  {
    name: "named_url of a service without names (no proxy:)",
    text: yaml`
      services:
        api:
          command: ${MARK}
          health: {http: /}
        ui:
          command: ${MARK}
          env: {API: "\${services.api.named_url}"}
    `,
    at: "7:16",
    path: "services.ui.env.API",
    message: /service "api" has no name through the proxy: names need `proxy: true`/,
  },
  {
    name: "named_url of a service that does not speak HTTP",
    text: yaml`
      proxy: true
      services:
        cache:
          command: ${MARK}
        ui:
          command: ${MARK}
          env: {CACHE: "\${services.cache.named_url}"}
    `,
    at: "7:18",
    path: "services.ui.env.CACHE",
    message: /service "cache" has no name through the proxy/,
  },
];
