/** Output of `npm run bench`: sections, aligned figures, and a PASS/MISS verdict where there is a target. */

export type Verdict = "PASS" | "MISS";

export function section(title: string): void {
  console.log(`\n${title}`);
}

export function note(text: string): void {
  console.log(`    ${text}`);
}

/** One figure: label, value, and optionally the target and whether it was met. */
export function figure(label: string, value: string, target?: { text: string; met: boolean }): Verdict | undefined {
  const verdict: Verdict | undefined = target === undefined ? undefined : target.met ? "PASS" : "MISS";
  const tail = target === undefined ? "" : `  ${`target ${target.text}`.padEnd(24)} ${verdict}`;
  console.log(`  ${label.padEnd(44)} ${value.padStart(20)}${tail}`);
  return verdict;
}

export const count = (n: number): string => Math.round(n).toLocaleString("en-US");
export const ms = (n: number): string => `${n.toFixed(2)} ms`;
export const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;
