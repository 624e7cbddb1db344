/**
 * UTC offsets of an IANA time zone, looked up fast enough for the pricing hot path.
 *
 * Offsets come from the runtime's time-zone database (Intl) but Intl is far too slow to ask per slot, so
 * time is cut into chunks of CHUNK_MINUTES and each chunk is probed once: its offset at the start and, if
 * the offset at its end differs, the minute of the transition found by bisection. Chunks are short enough
 * (about 11 days) that no real zone changes offset twice inside one.
 */

const CHUNK_MINUTES = 1 << 14;
const MAX_CACHED_CHUNKS = 4096;
const NO_TRANSITION = Number.POSITIVE_INFINITY;

interface Chunk {
  readonly offsetBefore: number;
  /** First UTC minute of the new offset, or +Infinity when the chunk has a single offset. */
  readonly transitionAt: number;
  readonly offsetAfter: number;
}

export class ZoneRules {
  private readonly format: Intl.DateTimeFormat;
  private readonly chunks = new Map<number, Chunk>();
  private lastChunkIndex = Number.NaN;
  private lastChunk: Chunk | undefined;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** Local wall time minus UTC, in minutes, at the UTC minute `utcMinute`. */
  offsetAt(utcMinute: number): number {
    const chunk = this.chunkOf(utcMinute);
    return utcMinute < chunk.transitionAt ? chunk.offsetBefore : chunk.offsetAfter;
  }

  /**
   * The first UTC minute after `utcMinute` at which the offset may change (the end of its chunk when no
   * transition is known inside it). Callers re-read the offset from there.
   */
  offsetValidUntil(utcMinute: number): number {
    const chunk = this.chunkOf(utcMinute);
    if (utcMinute < chunk.transitionAt)
      return chunk.transitionAt === NO_TRANSITION ? this.chunkEnd(utcMinute) : chunk.transitionAt;
    return this.chunkEnd(utcMinute);
  }

  private chunkEnd(utcMinute: number): number {
    return (Math.floor(utcMinute / CHUNK_MINUTES) + 1) * CHUNK_MINUTES;
  }

  private chunkOf(utcMinute: number): Chunk {
    const index = Math.floor(utcMinute / CHUNK_MINUTES);
    if (index === this.lastChunkIndex && this.lastChunk !== undefined) return this.lastChunk;
    let chunk = this.chunks.get(index);
    if (chunk === undefined) {
      if (this.chunks.size >= MAX_CACHED_CHUNKS) this.chunks.clear();
      chunk = this.probe(index * CHUNK_MINUTES);
      this.chunks.set(index, chunk);
    }
    this.lastChunkIndex = index;
    this.lastChunk = chunk;
    return chunk;
  }

  private probe(start: number): Chunk {
    const end = start + CHUNK_MINUTES;
    const offsetBefore = this.intlOffset(start);
    const offsetAfter = this.intlOffset(end);
    if (offsetBefore === offsetAfter) return { offsetBefore, transitionAt: NO_TRANSITION, offsetAfter };
    // Bisect for the first minute that has the new offset.
    let low = start;
    let high = end;
    while (high - low > 1) {
      const mid = low + Math.floor((high - low) / 2);
      if (this.intlOffset(mid) === offsetBefore) low = mid;
      else high = mid;
    }
    return { offsetBefore, transitionAt: high, offsetAfter };
  }

  private intlOffset(utcMinute: number): number {
    const utcMs = utcMinute * 60_000;
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(utcMs)) {
      if (part.type !== "literal") fields[part.type] = Number(part.value);
    }
    const wallMs = Date.UTC(
      fields.year ?? 1970,
      (fields.month ?? 1) - 1,
      fields.day ?? 1,
      fields.hour ?? 0,
      fields.minute ?? 0,
      fields.second ?? 0,
    );
    // Historic offsets can have seconds (local mean time); minutes are what the rules work in.
    return Math.floor((wallMs - utcMs) / 60_000);
  }
}

const zones = new Map<string, ZoneRules>();

/** The shared rules of a zone (one probe cache per zone, whichever tariff versions use it). */
export function zoneRules(timeZone: string): ZoneRules {
  let rules = zones.get(timeZone);
  if (rules === undefined) {
    rules = new ZoneRules(timeZone);
    zones.set(timeZone, rules);
  }
  return rules;
}
