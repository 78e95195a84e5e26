import type { ErrorCode } from "./errors";

/**
 * Telling from an API answer that the browser's sign-in is gone, so the app can say so once and
 * offer to sign in again rather than show a pile of refusals.
 *
 * - "signed-out": the session ended (expired, signed out elsewhere, password changed) or a token
 *   is no longer valid: HTTP 401, or UNAUTHENTICATED from the API while the app thought it was
 *   signed in. A stale session cookie makes the server treat the browser as anonymous, so
 *   mutations answer UNAUTHENTICATED ("Sign in to …").
 * - "csrf": the server refused the whole request (HTTP 403) because the X-CSRF-Token header did
 *   not match the session, e.g. cookies changed in another tab.
 */
export type AuthProblem = "signed-out" | "csrf";

/** The code, in the server's vocabulary, of a request made without a valid sign-in. */
const UNAUTHENTICATED: ErrorCode = "UNAUTHENTICATED";

export interface ErrorLike {
  response?: unknown;
  graphQLErrors: readonly { message: string; extensions?: Record<string, unknown> | null }[];
}

function statusOf(response: unknown): number | null {
  if (typeof response === "object" && response !== null && "status" in response && typeof response.status === "number") {
    return response.status;
  }
  return null;
}

/** The problem behind a failed request (urql's CombinedError), if it is one of signing in. */
export function authProblemOf(error: ErrorLike | null | undefined): AuthProblem | null {
  if (!error) return null;
  const status = statusOf(error.response);
  if (status === 401) return "signed-out";
  // Only the CSRF check refuses a whole GraphQL request with 403; other refusals are typed errors.
  if (status === 403) return "csrf";
  if (error.graphQLErrors.some((e) => e.extensions?.code === UNAUTHENTICATED)) return "signed-out";
  return null;
}

/** Mutations whose UNAUTHENTICATED error is an answer about the input, not about the session. */
const OWN_ANSWER = new Set(["login", "logout"]);

/** UNAUTHENTICATED in a mutation's typed `errors` (`{ createModel: { errors: [...] } }`). */
export function payloadAuthProblem(data: unknown): AuthProblem | null {
  if (typeof data !== "object" || data === null) return null;
  for (const [field, payload] of Object.entries(data)) {
    if (OWN_ANSWER.has(field)) continue;
    if (typeof payload !== "object" || payload === null || !("errors" in payload)) continue;
    const errors: unknown = payload.errors;
    if (
      Array.isArray(errors) &&
      errors.some((e: unknown) => typeof e === "object" && e !== null && "code" in e && e.code === UNAUTHENTICATED)
    ) {
      return "signed-out";
    }
  }
  return null;
}

export function authProblemMessage(problem: AuthProblem): string {
  return problem === "csrf"
    ? "Your sign-in changed in another tab or window, so this request was refused. Reload the page and try again."
    : "You are no longer signed in (the session ended or was signed out elsewhere). Sign in again to continue.";
}
