import { parse } from "semver";

/** Why `text` cannot be a version, in the words the form shows; null when it is fine. */
export function versionProblem(text: string, latest: string | null | undefined): string | null {
  const trimmed = text.trim();
  if (trimmed === "") return "Enter a version such as 1.0.0.";
  if (trimmed !== text) return "Remove the spaces around the version.";
  // npm semver also accepts a leading "v" or "="; SemVer 2.0 (and the server) do not.
  if (/^\d/.test(text) && parse(text) !== null) return null;
  const hint = latest ? ` — latest is ${latest}` : " such as 1.0.0 or 2.0.1-rc2";
  if (/^[vV]\d/.test(text) && parse(text.slice(1)) !== null) {
    return `Must be a semantic version without the leading '${text[0]}'${hint}`;
  }
  return `Must be a semantic version (MAJOR.MINOR.PATCH)${hint}`;
}
