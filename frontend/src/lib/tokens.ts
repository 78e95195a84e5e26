import type { TokenScope } from "../gql/graphql";

/** Personal access tokens: their status, scopes and the expiry chosen in the form. */
export type TokenStatus = "active" | "revoked" | "expired";

export function tokenStatus(
  token: { revokedAt?: string | null; expiresAt?: string | null },
  now: Date = new Date(),
): TokenStatus {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now.getTime()) return "expired";
  return "active";
}

export const SCOPES: readonly { value: TokenScope; name: string; summary: string }[] = [
  { value: "READ_API", name: "read_api", summary: "Read everything you can read: download models and files, query the API." },
  {
    value: "API",
    name: "api",
    summary: "Read and change everything you can change: register versions, upload files, move stages.",
  },
];

/** The name people type and see: `read_api`, `api`. */
export function scopeName(scope: TokenScope): string {
  return SCOPES.find((s) => s.value === scope)?.name ?? scope.toLowerCase();
}

/** `YYYY-MM-DD` of a day in the browser's time zone (what `<input type="date">` uses). */
export function dateInputValue(day: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function parseDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date;
}

/**
 * The instant a token chosen to expire "on" a day stops working: the last second of that day in
 * the browser's time zone, as ISO 8601 with a zone (what the API wants). Null for a bad date.
 */
export function expiryInstant(value: string): string | null {
  const day = parseDay(value);
  if (!day) return null;
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), 23, 59, 59).toISOString();
}

export interface TokenForm {
  name: string;
  scopes: readonly TokenScope[];
  /** `YYYY-MM-DD`, or "" for a token that does not expire. */
  expires: string;
}

/** Problems to show before sending, by field (the server checks again). */
export function tokenFormProblems(form: TokenForm, now: Date = new Date()): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!form.name.trim()) problems.name = "Give the token a name that says where it is used, such as ci-pipeline.";
  if (form.scopes.length === 0) problems.scopes = "Choose at least one scope.";
  if (form.expires) {
    const instant = expiryInstant(form.expires);
    if (!instant) problems.expiresAt = "Choose a date, or leave it empty for a token that does not expire.";
    else if (new Date(instant).getTime() <= now.getTime()) problems.expiresAt = "The expiry must be in the future.";
  }
  return problems;
}
