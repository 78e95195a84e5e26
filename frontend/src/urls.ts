const enc = encodeURIComponent;

export const urls = {
  projects: () => "/",
  project: (project: string) => `/projects/${enc(project)}`,
  projectSettings: (project: string) => `${urls.project(project)}/settings`,
  projectMembers: (project: string) => `${urls.project(project)}/settings/members`,
  projectWebhooks: (project: string) => `${urls.project(project)}/settings/webhooks`,
  model: (project: string, model: string) => `/projects/${enc(project)}/models/${enc(model)}`,
  modelTab: (project: string, model: string, tab: "card" | "versions") =>
    `${urls.model(project, model)}?tab=${tab}`,
  newVersion: (project: string, model: string) => `${urls.model(project, model)}/versions/new`,
  version: (project: string, model: string, version: string) =>
    `${urls.model(project, model)}/versions/${enc(version)}`,
  /** Versions side by side, in the order given: `…/compare?versions=1.0.0,1.1.0`. */
  compare: (project: string, model: string, versions: readonly string[]) =>
    `${urls.model(project, model)}/compare?versions=${versions.map(enc).join(",")}`,
  /** The sign-in page; after signing in the app returns to `next` (a path of this app). */
  signIn: (next?: string | null) => {
    const target = safeNext(next);
    return target === "/" ? "/sign-in" : `/sign-in?next=${enc(target)}`;
  },
  accountTokens: () => "/-/user/tokens",
  accountPassword: () => "/-/user/password",
  accountNotifications: () => "/-/user/notifications",
  /** Pending transition requests: those the viewer may approve, and their own. */
  inbox: () => "/-/inbox",
  graphiql: () => "/graphql",
};

/**
 * Where to go after signing in: a path of this app, never another site (`//evil.example`,
 * `https://…`, `/\evil`) and never the sign-in page itself. Anything else is `/`.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // Control characters (a newline in a header, say) have no place in a path.
  if ([...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return "/";
  if (next === "/sign-in" || next.startsWith("/sign-in?") || next.startsWith("/sign-in/")) return "/";
  return next;
}

/**
 * The versions of a compare URL's `?versions=` (comma-separated, in order). SemVer strings have no
 * commas; blanks are dropped, duplicates kept (the server says they are not allowed).
 */
export function compareVersionsParam(value: string | null | undefined): string[] {
  if (!value) return [];
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}
