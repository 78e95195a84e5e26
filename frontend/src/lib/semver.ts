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

export interface VersionSuggestion {
  label: string;
  value: string;
  /** What the bump means, shown as the button's title. */
  hint: string;
}

/**
 * The buttons offered for the next version number: Major/Minor/Patch over the latest release, or,
 * for a model with no version yet, a first development (0.1.0) and a first stable (1.0.0) release.
 * Bumps that give the same number (from a prerelease: 2.0.0-rc.1 + any bump = 2.0.0) show once,
 * under the largest bump.
 */
export function versionSuggestions(
  latest: string | null | undefined,
  next: { major: string; minor: string; patch: string },
): VersionSuggestion[] {
  const all: VersionSuggestion[] = latest
    ? [
        { label: "Major", value: next.major, hint: "breaking change: new algorithm or required input" },
        { label: "Minor", value: next.minor, hint: "new optional input or output" },
        { label: "Patch", value: next.patch, hint: "retrain, same inputs and outputs" },
      ]
    : [
        { label: "Development", value: "0.1.0", hint: "first release while inputs and outputs may still change" },
        { label: "Stable", value: "1.0.0", hint: "first release with settled inputs and outputs" },
      ];
  return all.filter((s, i) => all.findIndex((t) => t.value === s.value) === i);
}
