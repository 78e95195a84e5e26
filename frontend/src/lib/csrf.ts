/**
 * The double-submit CSRF token. Signing in sets two cookies: the session (HttpOnly, sent by the
 * browser) and `modelreg_csrf`, which the app reads and echoes in the `X-CSRF-Token` header of
 * every POST, PUT and DELETE. The server refuses (403) a cookie-authenticated request without it.
 * Read at each request: signing in again in another tab changes it.
 */
export const CSRF_COOKIE = "modelreg_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/** The value of cookie `name` in a `document.cookie` string, or null. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

/** `{"X-CSRF-Token": …}` when signed in in this browser, else no header at all. */
export function csrfHeaders(cookies: string = currentCookies()): Record<string, string> {
  const token = readCookie(cookies, CSRF_COOKIE);
  return token ? { [CSRF_HEADER]: token } : {};
}

function currentCookies(): string {
  return typeof document === "undefined" ? "" : document.cookie;
}
