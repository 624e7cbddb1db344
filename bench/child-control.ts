import { createInterface } from "node:readline";
import { getChannelzHandlers, type Server } from "@grpc/grpc-js";

/**
 * The child side of the bench's control channel. A bench server prints one JSON line on stdout when it is
 * ready (`{"event":"ready",…}`), then answers commands, one JSON line each way: `{"id":1,"cmd":"stats"}` →
 * `{"id":1,"ok":true,"value":…}`. Nothing else may go to stdout (logs go to stderr). When stdin closes —
 * the bench ended or died — the child runs `stop` and exits, so no server outlives its bench.
 */
export function serveControl(
  ready: Record<string, unknown>,
  commands: Record<string, () => unknown>,
  stop: () => Promise<void>,
): void {
  let stopping: Promise<void> | undefined;
  const exit = (code: number) => {
    stopping ??= stop()
      .catch((error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
      })
      .finally(() => process.exit(code));
    return stopping;
  };
  process.once("SIGTERM", () => void exit(0));
  process.once("SIGINT", () => void exit(0));

  const reply = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    let id: unknown;
    void (async () => {
      const request = JSON.parse(line) as { id: unknown; cmd: string };
      id = request.id;
      if (request.cmd === "stop") {
        await exit(0);
        return;
      }
      const command = commands[request.cmd];
      if (command === undefined) throw new Error(`unknown command ${request.cmd}`);
      reply({ id, ok: true, value: await command() });
    })().catch((error: unknown) =>
      reply({ id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  lines.on("close", () => void exit(0));
  reply({ event: "ready", pid: process.pid, ...ready });
}

/** Calls a grpc-js server has seen, as channelz counts them: a call succeeded iff it ended with status OK. */
export interface CallCounts {
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
}

/** The server's call counters, read through grpc-js's own channelz handlers (channelz is on by default). */
export function callCounts(server: Server): Promise<CallCounts> {
  const handlers = getChannelzHandlers();
  const request = { request: { server_id: String(server.getChannelzRef().id) } };
  return new Promise((resolve, reject) => {
    // Only `request` of the call object is read; the handler is an ordinary unary handler.
    handlers.GetServer(request as unknown as Parameters<typeof handlers.GetServer>[0], (error, value) => {
      const data = value?.server?.data;
      if (error || data === undefined || data === null) {
        reject(new Error(`channelz: ${error?.details ?? "no server data (is channelz disabled?)"}`));
        return;
      }
      resolve({
        started: Number(data.calls_started),
        succeeded: Number(data.calls_succeeded),
        failed: Number(data.calls_failed),
      });
    });
  });
}

/** Collects garbage (needs `--expose-gc`) and waits for the heap to settle, then reports the process memory. */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the child with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage();
}
