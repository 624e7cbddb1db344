import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkedWaiverQuoteLoad, startWaiverQuoteServer, WAIVER_QUOTE_SERVER_KINDS } from "./http-load.js";
import { pairCommand } from "./paired-load.js";
import { waiverQuoteRequest } from "./waiver-request.js";

/**
 * grpc-pair.ts for the waiver quote (paired-load.ts): two Fastify servers run at once on core 0 and are
 * loaded at once, each through http-load.ts's `loadHttpServer` (section 5's h2load --h1 on core 1, checked
 * requests before and after, the servers' own tallies).
 *
 *   npx tsx bench/waiver-pair.ts --a=empty --b=real [--rounds=3] [--seconds=6] [--against=DIR]
 *
 * A server is `real` (bench/waiver-server.ts, as section 5 runs it) or `empty` (bench/empty-fastify-server.ts).
 * `--against=DIR` runs B from another built checkout (a `git worktree` of a baseline): the A/B of a change.
 */
await pairCommand("waiver-pair", WAIVER_QUOTE_SERVER_KINDS, startWaiverQuoteServer, async (root) => {
  const bodyFile = join(root, "waiver-quote.json");
  await writeFile(bodyFile, JSON.stringify(waiverQuoteRequest));
  return (kind, child, timing) =>
    checkedWaiverQuoteLoad(kind, child, { bodyFile, logFile: join(root, `h2load-${child.pid}.log`) }, timing);
});
