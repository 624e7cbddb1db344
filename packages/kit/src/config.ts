/** Reading typed settings from the environment, with errors that name the variable. */
export type Environment = Readonly<Record<string, string | undefined>>;

export function envString(env: Environment, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

export function envOptional(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function envPort(env: Environment, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name} must be a port number (0–65535), not "${text}"`);
  return port;
}

export function envInteger(env: Environment, name: string, fallback: number, min = 0): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`${name} must be a whole number ≥ ${min}, not "${text}"`);
  return value;
}

/**
 * An optional http:// or https:// URL. The value is left out of the error: URLs such as webhooks carry their
 * secret in the path, and a startup error is logged.
 */
export function envHttpUrl(env: Environment, name: string): string | undefined {
  const text = envOptional(env, name);
  if (text === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "https:" && protocol !== "http:")
    throw new Error(`${name} must be an https:// (or http://) URL; its value is not shown, as it may be a secret`);
  return text;
}
