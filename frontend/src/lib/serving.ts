/** The `modelreg serve-model` commands the version page offers, and how a served reference reads. */

import type { StageName } from "./activity";

export interface ServeCommand {
  /** What the reference is: a pinned SemVer, a followed stage or a followed alias. */
  kind: "version" | "stage" | "alias";
  reference: string;
  command: string;
  /** One line saying what the server will answer with. */
  explanation: string;
}

/** The stages a server can follow (the serve-model command refuses None and Archived). */
const FOLLOWED_STAGES: Partial<Record<StageName, string>> = { STAGING: "Staging", PRODUCTION: "Production" };

export const SERVE_PORT = 5001;
export const INSTALL_LINE = "pip install 'modelreg[serving]'";

/** `modelreg serve-model PROJECT/MODEL@REF --port 5001`, with REF quoted for the shell when it needs it. */
export function serveCommand(project: string, model: string, ref: string): string {
  const reference = `${project}/${model}@${ref}`;
  const safe = /^[A-Za-z0-9._@/+-]+$/.test(reference) ? reference : `'${reference.replace(/'/g, "'\\''")}'`;
  return `modelreg serve-model ${safe} --port ${SERVE_PORT}`;
}

/** One command for the version's SemVer (pinned), then its stage and each alias (followed). */
export function serveCommands(
  project: string,
  model: string,
  version: string,
  stage: string,
  aliases: readonly string[],
): ServeCommand[] {
  const found: ServeCommand[] = [
    {
      kind: "version",
      reference: version,
      command: serveCommand(project, model, version),
      explanation: `Pinned: always serves ${version}, whatever moves.`,
    },
  ];
  const stageName = FOLLOWED_STAGES[stage as StageName];
  if (stageName) {
    found.push({
      kind: "stage",
      reference: stageName,
      command: serveCommand(project, model, stageName),
      explanation: `Follows ${stageName}: serves its latest version and switches when another one is moved there.`,
    });
  }
  for (const alias of aliases) {
    found.push({
      kind: "alias",
      reference: alias,
      command: serveCommand(project, model, alias),
      explanation: `Follows @${alias}: switches to the version the alias points at when it moves.`,
    });
  }
  return found;
}

const SEMVER = /^\d+\.\d+\.\d+(?:[-+].*)?$/;
const STAGE_NAMES = new Set(["staging", "production"]);

/** How a served reference reads in a sentence: "pinned", "following Production", "following @champion". */
export function followingPhrase(reference: string): string | null {
  const at = reference.lastIndexOf("@");
  if (at < 0 || at === reference.length - 1) return null;
  const ref = reference.slice(at + 1);
  if (SEMVER.test(ref)) return "pinned";
  if (STAGE_NAMES.has(ref.toLowerCase())) return `following ${ref}`;
  return `following @${ref}`;
}
