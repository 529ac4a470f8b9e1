/**
 * Fail-fast environment helpers: a handler reads its settings once at module scope, so a missing or malformed
 * variable fails the cold start with a message naming the variable instead of failing every record later.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is required but not set`);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`Environment variable ${name} must be an integer, got "${raw}"`);
  }
  return value;
}

export function jsonEnv<T>(name: string, parse: (value: unknown) => T): T {
  const raw = requiredEnv(name);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`Environment variable ${name} must be JSON: ${(error as Error).message}`);
  }
  return parse(json);
}
