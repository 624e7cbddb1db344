import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  checkedWaiverQuoteLoad,
  startWaiverQuoteServer,
  WAIVER_QUOTE_SERVER_KINDS,
  type WaiverQuoteServerKind,
} from "./http-load.js";
import { type BenchServer, pairedLoad, roundLine } from "./paired-load.js";
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
const { values } = parseArgs({
  options: {
    a: { type: "string", default: "empty" },
    b: { type: "string", default: "real" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "6" },
    against: { type: "string" },
  },
});
const kindOf = (name: string, side: string): WaiverQuoteServerKind => {
  if (!(WAIVER_QUOTE_SERVER_KINDS as readonly string[]).includes(name))
    throw new Error(`${side}: no server "${name}"; the servers are ${WAIVER_QUOTE_SERVER_KINDS.join(", ")}`);
  return name as WaiverQuoteServerKind;
};
const kinds = { A: kindOf(values.a, "A"), B: kindOf(values.b, "B") };

const root = await mkdtemp(join(tmpdir(), "carfare-waiver-pair-"));
const servers: BenchServer[] = [];
try {
  const bodyFile = join(root, "waiver-quote.json");
  await writeFile(bodyFile, JSON.stringify(waiverQuoteRequest));
  const a = await startWaiverQuoteServer(kinds.A, `A: ${kinds.A}`, root);
  servers.push(a);
  const b = await startWaiverQuoteServer(
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
      checkedWaiverQuoteLoad(
        child === a.child ? kinds.A : kinds.B,
        child,
        { bodyFile, logFile: join(root, `h2load-${child.pid}.log`) },
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
