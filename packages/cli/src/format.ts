/** Amounts for people: minor units shown in the currency's own way (KRW 114,780; MYR 1,234.50). */
export function formatMoney(amount: number, currency: string): string {
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 0;
  const negative = amount < 0;
  const text = String(Math.abs(amount)).padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : "";
  return `${negative ? "-" : ""}${Number(whole).toLocaleString("en-US")}${fraction}`;
}

/** A plain-text table: columns padded, numbers right-aligned. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Where the times of a command's output are shown: a fixed UTC offset, or the process's zone (`--tz`, TZ). */
export type Clockface = { readonly offsetMinutes: number } | { readonly local: true };

/** The clockface of a time as the user wrote it: its own offset (`+09:00`, `Z`), else local time. */
export function clockfaceOf(text: string): Clockface {
  const match = /(Z|[+-]\d{2}:\d{2})$/i.exec(text.trim());
  if (match === null) return { local: true };
  const offset = (match[1] as string).toUpperCase();
  if (offset === "Z") return { offsetMinutes: 0 };
  const sign = offset.startsWith("-") ? -1 : 1;
  return { offsetMinutes: sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) };
}

/** "2026-11-28 10:00" on the clockface (with its offset when fixed: "2026-11-28 10:00 +09:00"). */
export function formatInstant(at: Date | undefined, face: Clockface = { local: true }): string {
  if (at === undefined) return "";
  if ("offsetMinutes" in face) {
    const shifted = new Date(at.getTime() + face.offsetMinutes * 60_000).toISOString();
    const m = Math.abs(face.offsetMinutes);
    const offset = `${face.offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)} ${offset}`;
  }
  return new Intl.DateTimeFormat("sv-SE", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}
