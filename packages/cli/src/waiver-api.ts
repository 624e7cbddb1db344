import type { CarfareConfig } from "./config.js";
import { readDemoAdminToken } from "./demo-secrets.js";
import { ApiError, type ApiOptions } from "./pricing-api.js";

/** Where the CLI finds the damage-waiver service. */
export interface WaiverApiOptions extends Omit<ApiOptions, "server"> {
  readonly waiverServer?: string;
}

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: { field: string; message: string }[];
}

/** A small client of the damage-waiver REST API: JSON in and out, problem+json turned into ApiError. */
export async function connectWaiver(config: CarfareConfig, options: WaiverApiOptions) {
  const base = (options.waiverServer ?? `http://127.0.0.1:${config.waiverPort}`).replace(/\/$/, "");
  const token = options.token ?? process.env.CARFARE_ADMIN_TOKEN ?? (await readDemoAdminToken(config.dataDir));

  async function request(method: string, path: string, body?: { text: string; contentType: string }) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token !== undefined && token !== "") headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = body.contentType;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: body.text }) });
    } catch (error) {
      throw new ApiError(
        "UNAVAILABLE",
        `cannot reach the damage-waiver service at ${base}: is \`carfare serve\` running? (${(error as Error).message})`,
      );
    }
    const payload = (await response.json().catch(() => ({}))) as unknown;
    if (!response.ok) {
      const problem = payload as Problem;
      const fields = (problem.errors ?? []).map((e) => `\n  ${e.field}: ${e.message}`).join("");
      throw new ApiError(
        problem.code ?? `HTTP_${response.status}`,
        `${problem.detail ?? problem.title ?? response.statusText}${fields}`,
      );
    }
    return { status: response.status, payload };
  }

  return { base, request };
}
