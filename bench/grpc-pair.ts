import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkedQuoteLoad, QUOTE_SERVER_KINDS, type QuoteServerKind, startQuoteServer } from "./grpc-load.js";
import { type BenchServer, pairedLoad, roundLine } from "./paired-load.js";
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
const { values } = parseArgs({
  options: {
    a: { type: "string", default: "empty" },
    b: { type: "string", default: "real" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "6" },
    against: { type: "string" },
  },
});
const kindOf = (name: string, side: string): QuoteServerKind => {
  if (!(QUOTE_SERVER_KINDS as readonly string[]).includes(name))
    throw new Error(`${side}: no server "${name}"; the servers are ${QUOTE_SERVER_KINDS.join(", ")}`);
  return name as QuoteServerKind;
};
const kinds = { A: kindOf(values.a, "A"), B: kindOf(values.b, "B") };

const root = await mkdtemp(join(tmpdir(), "carfare-grpc-pair-"));
const servers: BenchServer[] = [];
try {
  const body = quoteRequestBody();
  const bodyFile = join(root, "quote-request.bin");
  await writeFile(bodyFile, body);
  const a = await startQuoteServer(kinds.A, `A: ${kinds.A}`, root);
  servers.push(a);
  const b = await startQuoteServer(
    kinds.B,
    `B: ${kinds.B}${values.against === undefined ? "" : ` (${values.against})`}`,
    root,
    values.against,
  );
  servers.push(b);

  let index = 0;
  const paired = await pairedLoad(
    a.child,
    b.child,
    (child, timing) =>
      checkedQuoteLoad(
        child === a.child ? kinds.A : kinds.B,
        child,
        {
          bodyFile,
          body,
          logFile: join(root, `h2load-${child.pid}.log`),
        },
        timing,
      ),
    {
      rounds: Number(values.rounds),
      seconds: Number(values.seconds),
      onRound: (round) => console.log(roundLine(++index, round, a.child, b.child)),
    },
  );
  if (paired.problems.length > 0) throw new Error(paired.problems.join("; "));
  console.log(`median B/A: ${(100 * paired.ratio).toFixed(1)} %`);
} finally {
  for (const server of servers) await server.stop();
  await rm(root, { recursive: true, force: true });
}
