/**
 * `npm run check:deploy`: checks the deployment artifacts offline, as far as this machine allows (no Docker
 * engine, no Kubernetes API server):
 *
 * 1. Dockerfile, statically: every path a COPY takes from the build context exists and is not excluded by
 *    .dockerignore; every `COPY --from=build` is a file of the repository or a build output (`packages/x/dist`
 *    of a package that `tsc -b` builds); the runtime runs `npm ci --omit=dev`, as a numeric non-root USER,
 *    with `node` itself as the exec-form ENTRYPOINT (PID 1).
 * 2. Dockerfile, simulated: the production stages' COPY, ENV and `npm ci` steps are replayed in a temporary
 *    directory (a clean `npm ci --omit=dev --ignore-scripts`, then the built dist folders, migrations and the
 *    descriptor); the ENTRYPOINT must run `--help` and `migrate` (on a throwaway PGlite) with exit 0, and no
 *    devDependency or example may be in it. Then the demo stage is replayed on top and `serve all` must start,
 *    answer /metrics, /openapi.json and /docs, and exit 0 on SIGTERM.
 * 3. Kubernetes: `kubectl kustomize` renders every overlay and deploy/argocd; every object validates against
 *    its schema (kubernetes-models, @kubernetes-models/argo-cd; an unknown kind fails), and our policies hold
 *    (see `checkPolicies` and `checkArgo`).
 * 4. The CI workflow: the npm scripts and files it runs exist, it builds the image the manifests name, runs
 *    the tests and this check, and bumps the dev overlay.
 *
 * Without kubectl, part 3 is skipped with a loud line (KUBECTL NOT FOUND) instead of passing in silence, or
 * fails with --require-kubectl (GitHub CI). --skip-image skips part 2 (the slow one).
 * Exit code 1 when anything fails.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { parseAllDocuments } from "yaml";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DOCKERFILE = join(ROOT, "Dockerfile");
const IMAGE = "ghcr.io/carfare/carfare";
/** The Dockerfile stages that make up the production image, in order (`demo` is not one of them). */
const PRODUCTION_STAGES = ["runtime-base", "production"];
/** The stage that adds the one-command demo (examples/) on top of the production image. */
const DEMO_STAGE = "demo";

const failures: string[] = [];
/** The HTTP probe paths of the rendered Deployments, which the demo image must answer. */
const httpProbePaths = new Set<string>();
const fail = (where: string, message: string) => failures.push(`${where}: ${message}`);
const started = Date.now();
const step = (title: string) => console.log(`\n== ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

// ---------------------------------------------------------------------------------------------------------
// 1. Dockerfile, statically

interface Instruction {
  readonly stage: string;
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

function readDockerfile(): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = "";
  let pending = "";
  let startLine = 0;
  readFileSync(DOCKERFILE, "utf8")
    .split("\n")
    .forEach((raw, index) => {
      const text = raw.trim();
      if (pending === "" && (text === "" || text.startsWith("#"))) return;
      if (pending === "") startLine = index + 1;
      if (text.endsWith("\\")) {
        pending += `${text.slice(0, -1)} `;
        return;
      }
      const full = `${pending}${text}`.trim();
      pending = "";
      const match = /^(\w+)\s+(.*)$/.exec(full);
      if (match === null) return;
      const keyword = (match[1] ?? "").toUpperCase();
      const args = match[2] ?? "";
      if (keyword === "FROM") stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
      instructions.push({ stage, keyword, args, line: startLine });
    });
  return instructions;
}

interface Copy {
  readonly from: string | undefined;
  readonly sources: string[];
  readonly destination: string;
}

function parseCopy(args: string): Copy {
  const words = args.split(/\s+/).filter((w) => w !== "");
  let from: string | undefined;
  const rest: string[] = [];
  for (const word of words) {
    if (word.startsWith("--from=")) from = word.slice("--from=".length);
    else if (!word.startsWith("--")) rest.push(word);
  }
  return { from, sources: rest.slice(0, -1), destination: rest.at(-1) ?? "" };
}

/** .dockerignore patterns as regular expressions over repository-relative paths (Go filepath.Match + `**`). */
function dockerignore(): { pattern: string; regex: RegExp; negate: boolean }[] {
  return readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, "").replace(/\/+$/, "");
      const body = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => {
          if (part === "**/" || part === "**") return "(?:.*/)?";
          if (part === "*") return "[^/]*";
          if (part === "?") return "[^/]";
          return part.replace(/[.+^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      return { pattern: line, regex: new RegExp(`^${body}$`), negate };
    });
}

/** Whether the build context leaves `path` out (the path itself or one of its parent folders matches). */
function ignoredBy(path: string, rules: ReturnType<typeof dockerignore>): string | undefined {
  const parts = path.split("/");
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join("/");
    let verdict: string | undefined;
    for (const rule of rules) if (rule.regex.test(prefix)) verdict = rule.negate ? undefined : rule.pattern;
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/** Packages whose tsconfig builds `src` into `dist` (the build outputs the build stage produces). */
function builtPackages(): Set<string> {
  const built = new Set<string>();
  const references = (
    JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { references: { path: string }[] }
  ).references;
  for (const { path } of references) {
    const config = JSON.parse(readFileSync(join(ROOT, path, "tsconfig.json"), "utf8")) as {
      compilerOptions?: { outDir?: string };
    };
    if (config.compilerOptions?.outDir === "dist") built.add(path);
  }
  return built;
}

function checkDockerfileStatically(instructions: Instruction[]): void {
  const rules = dockerignore();
  const built = builtPackages();
  const buildWorkdir = instructions.find((i) => i.stage === "build" && i.keyword === "WORKDIR")?.args ?? "/";
  let copies = 0;
  for (const instruction of instructions.filter((i) => i.keyword === "COPY")) {
    const where = `Dockerfile:${instruction.line}`;
    const copy = parseCopy(instruction.args);
    for (const source of copy.sources) {
      copies++;
      if (copy.from === undefined) {
        const path = source.replace(/^\.\/?/, "").replace(/\/$/, "");
        if (path !== "" && !existsSync(join(ROOT, path))) fail(where, `COPY ${source}: not in the repository`);
        const rule = path === "" ? undefined : ignoredBy(path, rules);
        if (rule !== undefined)
          fail(where, `COPY ${source}: excluded from the build context by .dockerignore "${rule}"`);
      } else if (copy.from === "build") {
        const path = relative(buildWorkdir, source).replace(/\/$/, "");
        const output = /^(packages\/[^/]+)\/dist$/.exec(path);
        if (output !== null) {
          if (!built.has(output[1] ?? "")) fail(where, `COPY --from=build ${source}: no package builds ${path}`);
        } else if (!existsSync(join(ROOT, path))) {
          fail(where, `COPY --from=build ${source}: neither in the repository nor a build output`);
        }
      } else {
        fail(where, `COPY --from=${copy.from}: unknown stage`);
      }
    }
  }
  // Every source file `tsc -b` compiles is in what the build stage copies from the context.
  const buildSources = instructions
    .filter((i) => i.stage === "build" && i.keyword === "COPY")
    .map((i) => parseCopy(i.args))
    .filter((c) => c.from === undefined)
    .flatMap((c) => c.sources.map((source) => source.replace(/^\.\/?/, "").replace(/\/$/, "")));
  for (const project of built) {
    const listed = run("npx", ["tsc", "-p", join(project, "tsconfig.json"), "--listFilesOnly"], { cwd: ROOT });
    if (listed.status !== 0) {
      fail("build", `tsc --listFilesOnly ${project}:\n${listed.output}`);
      continue;
    }
    const inputs = listed.output
      .split("\n")
      .filter((l) => l !== "" && !l.includes("/node_modules/"))
      .map((l) => relative(ROOT, l))
      .filter((l) => !/^packages\/[^/]+\/dist\//.test(l));
    for (const file of [...inputs, join(project, "tsconfig.json"), "tsconfig.base.json"]) {
      const copied = buildSources.some((source) => file === source || file.startsWith(`${source}/`));
      const rule = ignoredBy(file, rules);
      if (!copied || rule !== undefined)
        fail(
          "Dockerfile build stage",
          `${file} (an input of tsc -b) is ${copied ? `excluded by .dockerignore "${rule}"` : "not copied"}`,
        );
    }
  }
  const production = instructions.filter((i) => PRODUCTION_STAGES.includes(i.stage));
  const last = instructions.at(-1);
  if (last?.stage !== PRODUCTION_STAGES.at(-1))
    fail("Dockerfile", `the last stage must be ${PRODUCTION_STAGES.at(-1)}`);
  if (!production.some((i) => i.keyword === "RUN" && /npm ci\b[^&]*--omit=dev/.test(i.args)))
    fail("Dockerfile", "the runtime stage does not run `npm ci --omit=dev`");
  const user = production.filter((i) => i.keyword === "USER").at(-1)?.args;
  if (user === undefined || !/^[1-9]\d*(:\d+)?$/.test(user))
    fail("Dockerfile", `the runtime USER must be a numeric non-root UID (Kubernetes runAsNonRoot), got ${user}`);
  const entrypoint = production.filter((i) => i.keyword === "ENTRYPOINT").at(-1)?.args ?? "";
  let exec: unknown;
  try {
    exec = JSON.parse(entrypoint);
  } catch {
    exec = undefined;
  }
  if (!Array.isArray(exec) || exec[0] !== "node")
    fail("Dockerfile", `ENTRYPOINT must be the exec form starting with node (PID 1), got ${entrypoint}`);
  const from = instructions.filter((i) => i.keyword === "FROM").map((i) => i.args);
  console.log(`${copies} COPY sources checked; stages: ${from.join(" | ")}`);
}

// ---------------------------------------------------------------------------------------------------------
// 2. Dockerfile, simulated: replay the production stages in a temporary directory

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): { status: number | null; output: string } {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 120_000,
  });
  return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ?? ""}` };
}

/**
 * Replays the COPY, ENV and `npm ci` steps of `stages` into `app` (Docker's COPY rules: a folder's contents go
 * into the destination; a file goes into a destination ending in "/" under its own name, else becomes it).
 * Returns false when a step could not be replayed.
 */
function replay(instructions: Instruction[], stages: string[], app: string, env: NodeJS.ProcessEnv): boolean {
  const buildWorkdir = instructions.find((i) => i.stage === "build" && i.keyword === "WORKDIR")?.args ?? "/";
  const rules = dockerignore();
  for (const instruction of instructions.filter((i) => stages.includes(i.stage))) {
    const where = `Dockerfile:${instruction.line}`;
    if (instruction.keyword === "ENV") {
      for (const match of instruction.args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
        env[match[1] ?? ""] = (match[2] ?? "").replace(/^"|"$/g, "");
    } else if (instruction.keyword === "COPY") {
      const copy = parseCopy(instruction.args);
      for (const source of copy.sources) {
        const from = join(ROOT, copy.from === "build" ? relative(buildWorkdir, source) : source);
        const destination = join(app, copy.destination);
        if (!existsSync(from)) {
          fail(where, `cannot replay COPY ${source}: ${from} is missing`);
          return false;
        }
        if (statSync(from).isDirectory()) {
          // What .dockerignore keeps out of the context is not in the image either.
          const filter = (path: string) =>
            copy.from !== undefined || ignoredBy(relative(ROOT, path), rules) === undefined;
          cpSync(from, destination, { recursive: true, filter });
        } else {
          const file = copy.destination.endsWith("/") ? join(destination, basename(from)) : destination;
          mkdirSync(dirname(file), { recursive: true });
          cpSync(from, file);
        }
      }
    } else if (instruction.keyword === "RUN") {
      // Only the npm ci of the step (not `npm cache clean`, which would empty this machine's cache).
      for (const part of instruction.args.split("&&").map((p) => p.trim())) {
        if (!part.startsWith("npm ci")) continue;
        const args = [...part.split(/\s+/).slice(1), "--prefer-offline"];
        console.log(`npm ${args.join(" ")}   (in ${app})`);
        const installed = run("npm", args, { cwd: app, env: { ...process.env, NODE_ENV: "production" } });
        if (installed.status !== 0) {
          fail(where, `npm ${args.join(" ")}:\n${installed.output}`);
          return false;
        }
      }
    }
  }
  return true;
}

/** `serve all` of the demo image on PGlite: it starts, answers /metrics and the waiver API, and drains on SIGTERM. */
async function smokeTestDemo(command: string, args: string[], app: string, env: NodeJS.ProcessEnv): Promise<void> {
  const label = `${[command, ...args].join(" ")} serve all (demo image)`;
  const child = spawn(command, [...args, "serve", "all"], {
    cwd: app,
    env: {
      ...env,
      CARFARE_HOST: "127.0.0.1",
      CARFARE_PRICING_PORT: "0",
      CARFARE_WAIVER_PORT: "0",
      CARFARE_METRICS_PORT: "0",
      CARFARE_SHUTDOWN_GRACE_MS: "2000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  try {
    const deadline = Date.now() + 45_000;
    let ports: { pricing: string; waiver: string; metrics: string } | undefined;
    while (ports === undefined && Date.now() < deadline && child.exitCode === null) {
      const pricing = /pricing \(gRPC\)\s+[^:\s]+:(\d+)/.exec(output)?.[1];
      const waiver = /waiver \(HTTP\)\s+http:\/\/[^:\s]+:(\d+)/.exec(output)?.[1];
      const metrics = /metrics\s+http:\/\/[^:\s]+:(\d+)\/metrics/.exec(output)?.[1];
      if (pricing !== undefined && waiver !== undefined && metrics !== undefined) ports = { pricing, waiver, metrics };
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (ports === undefined) {
      fail("image", `\`${label}\` did not start:\n${output}`);
      return;
    }
    for (const url of [
      `http://127.0.0.1:${ports.metrics}/metrics`,
      `http://127.0.0.1:${ports.waiver}/openapi.json`,
      `http://127.0.0.1:${ports.waiver}/docs`,
    ]) {
      const response = await fetch(url).catch((error: unknown) => ({ status: String(error) }));
      if (response.status !== 200) fail("image", `\`${label}\`: GET ${url} answered ${response.status}`);
    }
    for (const path of httpProbePaths) {
      const url = `http://127.0.0.1:${ports.waiver}${path}`;
      const response = await fetch(url).catch((error: unknown) => ({ status: String(error) }));
      if (response.status === 200) console.log(`ok: probe GET ${path} answered 200`);
      else console.log(`\nPROBE NOT SERVED: GET ${path} answered ${response.status}; deploy/k8s probes use it\n`);
    }
    const health = await grpcHealth(`127.0.0.1:${ports.pricing}`);
    if (health !== "SERVING") fail("image", `\`${label}\`: grpc.health.v1 Check("") answered ${health}`);
    else console.log('ok: grpc.health.v1 Check("") answered SERVING (what the native gRPC probe asks)');
    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => setTimeout(() => r("timeout"), 15_000).unref()),
    ]);
    if (code !== 0) fail("image", `\`${label}\`: after SIGTERM it exited with ${code}:\n${output.slice(-2000)}`);
    else console.log(`ok: \`${label}\` served /metrics, /openapi.json and /docs and drained on SIGTERM`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** What grpc.health.v1.Health/Check for the whole server ("") answers: what a native gRPC probe asks. */
function grpcHealth(address: string): Promise<string> {
  type Check = (
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status?: string }) => void,
  ) => void;
  const Client = grpc.makeGenericClientConstructor(healthService, "Health");
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { check: Check };
  return new Promise((done) => {
    client.check({ service: "" }, { deadline: Date.now() + 5_000 }, (error, response) => {
      client.close();
      done(error ? `error ${error.message}` : String(response?.status));
    });
  });
}

async function simulateRuntimeStage(instructions: Instruction[]): Promise<void> {
  const built = run("npx", ["tsc", "-b"], { cwd: ROOT });
  if (built.status !== 0) {
    fail("build", `tsc -b failed:\n${built.output}`);
    return;
  }
  const app = mkdtempSync(join(tmpdir(), "carfare-image-"));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  try {
    if (!replay(instructions, PRODUCTION_STAGES, app, env)) return;
    const entrypoint = JSON.parse(
      instructions.filter((i) => i.keyword === "ENTRYPOINT" && PRODUCTION_STAGES.includes(i.stage)).at(-1)?.args ??
        "[]",
    ) as string[];
    const [command = "node", ...entryArgs] = entrypoint;
    env.CARFARE_DATA_DIR = join(app, ".data");
    for (const [args, expect] of [
      [["--help"], /serve/],
      [["migrate"], /migrated embedded PostgreSQL/],
    ] as const) {
      const result = run(command, [...entryArgs, ...args], { cwd: app, env, timeoutMs: 60_000 });
      const label = `${entrypoint.join(" ")} ${args.join(" ")}`;
      if (result.status !== 0 || !expect.test(result.output))
        fail("image", `\`${label}\` exited ${result.status} in the simulated image:\n${result.output}`);
      else console.log(`ok: \`${label}\` in the simulated image`);
    }
    const devOnly = ["typescript", "vitest", "@biomejs/biome", "tsx"].filter((p) =>
      existsSync(join(app, "node_modules", p)),
    );
    if (devOnly.length > 0) fail("image", `devDependencies in the runtime install: ${devOnly.join(", ")}`);
    if (existsSync(join(app, "examples"))) fail("image", "the production image contains examples/");
    // The demo target is the production image plus its own steps.
    if (replay(instructions, [DEMO_STAGE], app, env)) await smokeTestDemo(command, entryArgs, app, env);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3. Kubernetes and Argo CD manifests

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, key) => (Array.isArray(v) ? v[key as number] : isObj(v) ? v[key as string] : undefined), o);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const name = (o: unknown) => `${get(o, "kind")}/${get(o, "metadata", "name")}`;

function render(dir: string): Obj[] {
  const yaml = execFileSync("kubectl", ["kustomize", dir], { cwd: ROOT, encoding: "utf8" });
  const objects: Obj[] = [];
  for (const document of parseAllDocuments(yaml)) {
    if (document.errors.length > 0) throw new Error(`${dir}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (isObj(value)) objects.push(value);
  }
  return objects;
}

async function validateSchema(where: string, object: Obj): Promise<void> {
  const apiVersion = String(object.apiVersion ?? "");
  const kind = String(object.kind ?? "");
  const module = apiVersion.startsWith("argoproj.io/")
    ? `@kubernetes-models/argo-cd/${apiVersion}`
    : `kubernetes-models/${apiVersion}`;
  let models: Record<string, unknown>;
  try {
    models = (await import(module)) as Record<string, unknown>;
  } catch {
    fail(where, `${name(object)}: no schema for apiVersion ${apiVersion}`);
    return;
  }
  const Model = models[kind];
  if (typeof Model !== "function") {
    fail(where, `${name(object)}: unknown kind ${kind} in ${apiVersion}`);
    return;
  }
  try {
    new (Model as new (data: Obj) => { validate(): void })(object).validate();
  } catch (error) {
    fail(where, `${name(object)} does not validate: ${error instanceof Error ? error.message : error}`);
  }
}

const mebibytes = (quantity: unknown): number | undefined => {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity ?? ""));
  if (match === null) return undefined;
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
};

/** Our own rules, over one rendered overlay. */
function checkPolicies(where: string, objects: Obj[]): void {
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [get(o, "metadata", "name"), o]));
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const workloads = objects.filter((o) =>
    ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(String(o.kind)),
  );

  for (const secret of byKind("Secret"))
    if (get(secret, "data") !== undefined || get(secret, "stringData") !== undefined)
      fail(where, `${name(secret)} carries values: secrets are not kept in git`);

  for (const workload of workloads) {
    const id = `${where} ${name(workload)}`;
    const pod =
      workload.kind === "CronJob"
        ? get(workload, "spec", "jobTemplate", "spec", "template", "spec")
        : get(workload, "spec", "template", "spec");
    const podSecurity = get(pod, "securityContext");
    if (get(pod, "automountServiceAccountToken") !== false) fail(id, "automountServiceAccountToken must be false");
    if (get(podSecurity, "seccompProfile", "type") !== "RuntimeDefault")
      fail(id, "seccompProfile must be RuntimeDefault");
    const containers = [...list(get(pod, "initContainers")), ...list(get(pod, "containers"))];
    if (containers.length === 0) fail(id, "no containers");
    for (const container of containers) {
      const cid = `${id} container ${get(container, "name")}`;
      const sc = get(container, "securityContext");
      const nonRoot = get(sc, "runAsNonRoot") ?? get(podSecurity, "runAsNonRoot");
      const uid = get(sc, "runAsUser") ?? get(podSecurity, "runAsUser");
      if (nonRoot !== true) fail(cid, "runAsNonRoot must be true");
      if (typeof uid !== "number" || uid === 0) fail(cid, "runAsUser must be a non-zero UID");
      if (get(sc, "readOnlyRootFilesystem") !== true) fail(cid, "readOnlyRootFilesystem must be true");
      if (get(sc, "allowPrivilegeEscalation") !== false) fail(cid, "allowPrivilegeEscalation must be false");
      if (!list(get(sc, "capabilities", "drop")).includes("ALL")) fail(cid, "capabilities must drop ALL");
      const image = String(get(container, "image") ?? "");
      const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
      if (!image.includes("@sha256:") && (tag === undefined || tag === "latest"))
        fail(cid, `image ${image} needs a tag other than latest (kustomize images: in the overlay)`);
      const requests = get(container, "resources", "requests");
      const memoryLimit = mebibytes(get(container, "resources", "limits", "memory"));
      if (get(requests, "cpu") === undefined || get(requests, "memory") === undefined)
        fail(cid, "resources.requests needs cpu and memory");
      if (memoryLimit === undefined || memoryLimit !== mebibytes(get(requests, "memory")))
        fail(cid, "the memory limit must be set (in Mi/Gi) and equal the request");
      const env = list(get(container, "env"));
      const nodeOptions = String(
        get(
          env.find((e) => get(e, "name") === "NODE_OPTIONS"),
          "value",
        ) ?? "",
      );
      const heap = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1] ?? Number.NaN);
      if (workload.kind === "Deployment") {
        if (memoryLimit !== undefined && !(heap >= memoryLimit * 0.6 && heap <= memoryLimit * 0.8))
          fail(cid, `NODE_OPTIONS --max-old-space-size=${heap} should be ≈75 % of the ${memoryLimit}Mi memory limit`);
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
          if (get(container, probe) === undefined && probe !== "startupProbe") fail(cid, `${probe} missing`);
          const path = get(container, probe, "httpGet", "path");
          if (typeof path === "string") httpProbePaths.add(path);
        }
        const preStop = Number(get(container, "lifecycle", "preStop", "sleep", "seconds") ?? Number.NaN);
        if (Number.isNaN(preStop) && get(container, "lifecycle", "preStop", "exec") === undefined)
          fail(cid, "lifecycle.preStop missing");
        // terminationGracePeriodSeconds must cover the preStop sleep plus the drain the service is given.
        let graceMs = 10_000;
        for (const source of list(get(container, "envFrom"))) {
          const config = configMaps.get(get(source, "configMapRef", "name"));
          if (get(source, "configMapRef") !== undefined && config === undefined)
            fail(cid, `envFrom ConfigMap ${get(source, "configMapRef", "name")} is not in the render`);
          const value = get(config, "data", "CARFARE_SHUTDOWN_GRACE_MS");
          if (value !== undefined) graceMs = Number(value);
        }
        const termination = Number(get(pod, "terminationGracePeriodSeconds") ?? 30);
        if (!(termination > (Number.isNaN(preStop) ? 0 : preStop) + graceMs / 1000))
          fail(id, `terminationGracePeriodSeconds ${termination} ≤ preStop ${preStop} s + drain ${graceMs / 1000} s`);
      }
      for (const e of env) {
        const ref = get(e, "valueFrom", "secretKeyRef");
        if (get(e, "value") !== undefined && /TOKENS|KEYS|DATABASE_URL|PASSWORD|SECRET/.test(String(get(e, "name"))))
          fail(cid, `${get(e, "name")} is set inline: take it from a Secret`);
        if (ref !== undefined && get(ref, "name") === undefined)
          fail(cid, `${get(e, "name")}: secretKeyRef without name`);
      }
    }
    if (workload.kind === "Job") {
      if (get(workload, "spec", "backoffLimit") === undefined) fail(id, "backoffLimit missing");
      if (get(workload, "spec", "ttlSecondsAfterFinished") === undefined) fail(id, "ttlSecondsAfterFinished missing");
      if (get(workload, "metadata", "annotations", "argocd.argoproj.io/hook") !== "PreSync")
        fail(id, "the migration Job must be an Argo CD PreSync hook");
      // A PreSync hook runs before the other objects of the sync exist: it cannot lean on them.
      const account = get(pod, "serviceAccountName");
      if (
        account !== undefined &&
        objects.some((o) => o.kind === "ServiceAccount" && get(o, "metadata", "name") === account)
      )
        fail(id, `the PreSync hook uses ServiceAccount ${account}, which the same sync creates (after the hook)`);
      for (const c of containers)
        for (const ref of [...list(get(c, "envFrom")), ...list(get(c, "env")).map((e) => get(e, "valueFrom"))])
          if (configMaps.has(get(ref, "configMapRef", "name") ?? get(ref, "configMapKeyRef", "name")))
            fail(id, "the PreSync hook reads a ConfigMap that the same sync creates (after the hook)");
    }
  }

  // Selectors and references point at something that is rendered.
  const deployments = byKind("Deployment");
  const matches = (selector: unknown, labels: unknown) =>
    isObj(selector) &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => get(labels, k) === v);
  for (const service of byKind("Service")) {
    const target = deployments.find((d) =>
      matches(get(service, "spec", "selector"), get(d, "spec", "template", "metadata", "labels")),
    );
    if (target === undefined) {
      fail(where, `${name(service)} selects no Deployment`);
      continue;
    }
    const ports = list(get(target, "spec", "template", "spec", "containers")).flatMap((c) => list(get(c, "ports")));
    for (const port of list(get(service, "spec", "ports"))) {
      const targetPort = get(port, "targetPort") ?? get(port, "port");
      if (!ports.some((p) => get(p, "name") === targetPort || get(p, "containerPort") === targetPort))
        fail(where, `${name(service)} port ${get(port, "name")}: ${name(target)} has no port ${targetPort}`);
    }
  }
  for (const budget of byKind("PodDisruptionBudget"))
    if (
      !deployments.some((d) =>
        matches(get(budget, "spec", "selector", "matchLabels"), get(d, "spec", "template", "metadata", "labels")),
      )
    )
      fail(where, `${name(budget)} selects no Deployment`);
  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const ref = get(hpa, "spec", "scaleTargetRef");
    if (!objects.some((o) => o.kind === get(ref, "kind") && get(o, "metadata", "name") === get(ref, "name")))
      fail(where, `${name(hpa)} scales ${get(ref, "kind")}/${get(ref, "name")}, which is not rendered`);
    if (Number(get(hpa, "spec", "minReplicas")) < 2) fail(where, `${name(hpa)}: minReplicas below 2`);
  }
  for (const deployment of deployments) {
    if (get(deployment, "spec", "replicas") !== undefined && byKind("HorizontalPodAutoscaler").length > 0)
      fail(where, `${name(deployment)} sets spec.replicas although an HPA owns the count`);
    for (const kind of ["HorizontalPodAutoscaler", "PodDisruptionBudget"]) {
      const covered = byKind(kind).some(
        (o) =>
          get(o, "spec", "scaleTargetRef", "name") === get(deployment, "metadata", "name") ||
          matches(get(o, "spec", "selector", "matchLabels"), get(deployment, "spec", "template", "metadata", "labels")),
      );
      if (!covered) fail(where, `${name(deployment)} has no ${kind}`);
    }
  }
  if (
    !byKind("NetworkPolicy").some(
      (p) =>
        Object.keys(get(p, "spec", "podSelector") as Obj).length === 0 && list(get(p, "spec", "ingress")).length === 0,
    )
  )
    fail(where, "no default-deny NetworkPolicy (empty podSelector, no ingress rules)");
}

/** The group/kind of every object the overlays render, which the AppProject must allow. */
const renderedKinds = new Set<string>();

/**
 * The ApplicationSet's list elements must each name an overlay that exists and a namespace the AppProject
 * allows, and the AppProject must allow every kind the overlays render (else Argo CD refuses the sync).
 */
function checkArgo(where: string, objects: Obj[]): void {
  for (const project of objects.filter((o) => o.kind === "AppProject")) {
    const allowed = new Set(
      [
        ...list(get(project, "spec", "namespaceResourceWhitelist")),
        ...list(get(project, "spec", "clusterResourceWhitelist")),
      ].map((entry) => `${get(entry, "group")}/${get(entry, "kind")}`),
    );
    for (const kind of renderedKinds)
      if (!allowed.has(kind) && !allowed.has(`*/*`))
        fail(where, `${name(project)} does not allow ${kind}, which the overlays render`);
    const destinations = list(get(project, "spec", "destinations")).map((d) => String(get(d, "namespace")));
    for (const set of objects.filter((o) => o.kind === "ApplicationSet")) {
      if (get(set, "spec", "template", "spec", "project") !== get(project, "metadata", "name")) continue;
      const namespace = String(get(set, "spec", "template", "spec", "destination", "namespace") ?? "");
      for (const generator of list(get(set, "spec", "generators")))
        for (const element of list(get(generator, "list", "elements"))) {
          const resolved = namespace.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key: string) => String(get(element, key)));
          if (!destinations.includes(resolved))
            fail(where, `${name(project)} has no destination for namespace ${resolved}`);
        }
    }
  }
  for (const set of objects.filter((o) => o.kind === "ApplicationSet")) {
    const path = String(get(set, "spec", "template", "spec", "source", "path") ?? "");
    if (get(set, "spec", "goTemplate") !== true) fail(where, `${name(set)}: goTemplate must be true`);
    if (!list(get(set, "spec", "goTemplateOptions")).includes("missingkey=error"))
      fail(where, `${name(set)}: goTemplateOptions needs missingkey=error`);
    const automated = get(set, "spec", "template", "spec", "syncPolicy", "automated");
    if (get(automated, "prune") !== true || get(automated, "selfHeal") !== true)
      fail(where, `${name(set)}: automated sync needs prune and selfHeal`);
    for (const generator of list(get(set, "spec", "generators"))) {
      for (const element of list(get(generator, "list", "elements"))) {
        const resolved = path.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, key: string) => String(get(element, key)));
        if (!existsSync(join(ROOT, resolved, "kustomization.yaml")))
          fail(
            where,
            `${name(set)}: element ${JSON.stringify(element)} → ${resolved}, which has no kustomization.yaml`,
          );
      }
    }
  }
}

async function checkManifests(): Promise<void> {
  const kubectl = (process.env.PATH ?? "")
    .split(delimiter)
    .some((dir) => dir !== "" && existsSync(join(dir, "kubectl")));
  if (!kubectl) {
    if (process.argv.includes("--require-kubectl")) fail("kubectl", "not found on PATH (--require-kubectl)");
    console.log(
      "\nKUBECTL NOT FOUND: manifests were NOT rendered nor validated (install kubectl ≥ 1.27 with kustomize 5)\n",
    );
    return;
  }
  const overlays = readdirSync(join(ROOT, "deploy/k8s/overlays")).map((d) => `deploy/k8s/overlays/${d}`);
  for (const dir of [...overlays, "deploy/argocd"]) {
    let objects: Obj[];
    try {
      objects = render(dir);
    } catch (error) {
      fail(dir, `kubectl kustomize failed: ${error instanceof Error ? error.message : error}`);
      continue;
    }
    for (const object of objects) await validateSchema(dir, object);
    if (dir.startsWith("deploy/k8s/")) {
      for (const o of objects) renderedKinds.add(`${String(o.apiVersion).split("/").slice(0, -1).join("/")}/${o.kind}`);
      checkPolicies(dir, objects);
      const images = objects.flatMap((o) =>
        list(get(o, "spec", "template", "spec", "containers")).map((c) => String(get(c, "image"))),
      );
      if (!images.every((i) => i.startsWith(`${IMAGE}:`)))
        fail(dir, `images other than ${IMAGE}: ${images.join(", ")}`);
    } else {
      checkArgo(dir, objects);
    }
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(String(o.kind), (kinds.get(String(o.kind)) ?? 0) + 1);
    console.log(`${dir}: ${objects.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")})`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4. The CI workflow: what it runs exists, and it builds the image the manifests use

function checkWorkflow(): void {
  const where = ".github/workflows/ci.yml";
  const workflow: unknown = parseAllDocuments(readFileSync(join(ROOT, where), "utf8"))[0]?.toJS();
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts;
  if (get(workflow, "env", "IMAGE") !== IMAGE) fail(where, `env.IMAGE must be ${IMAGE}, the image of the manifests`);
  const jobs = get(workflow, "jobs");
  if (!isObj(jobs)) {
    fail(where, "no jobs");
    return;
  }
  const runs: string[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    for (const need of list(get(job, "needs")))
      if (!(String(need) in jobs)) fail(where, `job ${id} needs unknown job ${need}`);
    for (const s of list(get(job, "steps"))) {
      const uses = get(s, "uses");
      if (typeof uses === "string" && !/@v\d+$/.test(uses))
        fail(where, `job ${id}: ${uses} is not pinned to a major version`);
      if (uses === "actions/setup-node@v4" && String(get(s, "with", "node-version")) !== "20")
        fail(where, `job ${id}: setup-node must use Node 20 (what the project supports)`);
      const run = get(s, "run");
      if (typeof run === "string") runs.push(run);
    }
  }
  const all = runs.join("\n");
  for (const match of all.matchAll(/npm run ([\w:-]+)/g))
    if (!(String(match[1]) in scripts)) fail(where, `npm run ${match[1]}: no such script in package.json`);
  for (const match of all.matchAll(/(?:^|\s)((?:scripts|deploy)\/[\w./-]+)/g))
    if (!existsSync(join(ROOT, String(match[1])))) fail(where, `${match[1]} does not exist`);
  for (const needed of ["npm test", "npm run check:deploy", "kustomize edit set image"])
    if (!all.includes(needed)) fail(where, `no step runs \`${needed}\``);
  console.log(`${where}: ${Object.keys(jobs).length} jobs, ${runs.length} run steps`);
}

// ---------------------------------------------------------------------------------------------------------

const instructions = readDockerfile();
step("Dockerfile: paths, user, entrypoint");
checkDockerfileStatically(instructions);
step("Kubernetes and Argo CD manifests: render, schemas, policies");
await checkManifests();
step("CI workflow");
checkWorkflow();
if (!process.argv.includes("--skip-image")) {
  step("Dockerfile: the production stage replayed (npm ci --omit=dev, then the entrypoint)");
  try {
    await simulateRuntimeStage(instructions);
  } catch (error) {
    fail("image", `the replay failed: ${error instanceof Error ? error.stack : error}`);
  }
}
step("done");
if (failures.length > 0) {
  console.error(`\ncheck:deploy FAILED (${failures.length}):\n${failures.map((f) => `- ${f}`).join("\n")}`);
  process.exit(1);
}
console.log(`check:deploy passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
