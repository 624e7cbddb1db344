import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { stringify } from "yaml";
import type { CarfareConfig } from "./config.js";
import { table } from "./format.js";
import { connectWaiver, type WaiverApiOptions } from "./waiver-api.js";

/** A policy's versions as the admin API lists them. */
interface PolicyVersions {
  policyId: string;
  market: string;
  versions: { version: number; publishedAt: string; publishedBy: string; effectiveFrom: string }[];
}

export async function policyPublishCommand(config: CarfareConfig, file: string, o: WaiverApiOptions): Promise<string> {
  const text = await readFile(file, "utf8");
  const contentType = extname(file).toLowerCase() === ".json" ? "application/json" : "application/yaml";
  const api = await connectWaiver(config, o);
  const { status, payload } = await api.request("POST", "/admin/v1/waiver-policies", { text, contentType });
  const { policyId, version } = payload as { policyId: string; version: number };
  const what = status === 201 ? "published" : "unchanged: the document equals the newest version";
  return `${what}: ${policyId} version ${version}`;
}

export async function policyListCommand(
  config: CarfareConfig,
  policyId: string | undefined,
  o: WaiverApiOptions & { json?: boolean },
): Promise<string> {
  const api = await connectWaiver(config, o);
  const path =
    policyId === undefined
      ? "/admin/v1/waiver-policies"
      : `/admin/v1/waiver-policies/${encodeURIComponent(policyId)}/versions`;
  const { payload } = await api.request("GET", path);
  const policies =
    policyId === undefined ? (payload as { policies: PolicyVersions[] }).policies : [payload as PolicyVersions];
  if (o.json === true) return JSON.stringify(policyId === undefined ? policies : policies[0], null, 2);
  if (policies.length === 0) return "no waiver policy has been published yet";
  return table(
    ["policy", "version", "market", "effective from", "published at", "published by"],
    policies.flatMap((p) =>
      p.versions.map((v) => [p.policyId, String(v.version), p.market, v.effectiveFrom, v.publishedAt, v.publishedBy]),
    ),
    [1],
  );
}

export async function policyShowCommand(
  config: CarfareConfig,
  policyId: string,
  o: WaiverApiOptions & { version?: string; json?: boolean },
): Promise<string> {
  const api = await connectWaiver(config, o);
  const id = encodeURIComponent(policyId);
  let version = o.version;
  if (version === undefined) {
    const { payload } = await api.request("GET", `/admin/v1/waiver-policies/${id}/versions`);
    const versions = (payload as PolicyVersions).versions;
    version = String(versions[versions.length - 1]?.version ?? 1);
  }
  const { payload } = await api.request(
    "GET",
    `/admin/v1/waiver-policies/${id}/versions/${encodeURIComponent(version)}`,
  );
  if (o.json === true) return JSON.stringify(payload, null, 2);
  return `# ${policyId} version ${version}\n${stringify(payload, { lineWidth: 0 })}`;
}
