import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkedQuoteLoad, QUOTE_SERVER_KINDS, startQuoteServer } from "./grpc-load.js";
import { pairCommand } from "./paired-load.js";
import { quoteRequestBody } from "./quote-request.js";

/**
 * An A/B of two gRPC servers that this VM's drift cannot skew (paired-load.ts): both run at once on core 0
 * and are loaded at once, each through grpc-load.ts's `loadServer` (section 2's h2load on core 1, checked
 * calls before and after, channelz counters).
 *
 *   npx tsx bench/grpc-pair.ts --a=empty --b=real [--rounds=3] [--seconds=6] [--against=DIR]
 *
 * A server is `real` (the real server, as section 2 runs it), `real-no-log` (its quote log off) or `empty`.
 * `--against=DIR` runs B from another built checkout (a `git worktree` of a baseline): the A/B of a change.
 */
await pairCommand("grpc-pair", QUOTE_SERVER_KINDS, startQuoteServer, async (root) => {
  const body = quoteRequestBody();
  const bodyFile = join(root, "quote-request.bin");
  await writeFile(bodyFile, body);
  return (kind, child, timing) =>
    checkedQuoteLoad(kind, child, { bodyFile, body, logFile: join(root, `h2load-${child.pid}.log`) }, timing);
});
