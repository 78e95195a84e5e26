/**
 * "Which version is where" and "where am I" for the web app: versions grouped by stage for the
 * model header and the models table, the models table's page number in the URL, and the compare
 * page's picker selection.
 */

export interface StagedVersion {
  id: string;
  version: string;
  stage: string;
}

export interface StageGroup<V extends StagedVersion = StagedVersion> {
  stage: "PRODUCTION" | "STAGING";
  label: string;
  versions: V[];
}

const SHOWN: { stage: StageGroup["stage"]; label: string }[] = [
  { stage: "PRODUCTION", label: "Production" },
  { stage: "STAGING", label: "Staging" },
];

/** Production then Staging, each with its versions in the order given; empty stages left out. */
export function stageGroups<V extends StagedVersion>(versions: readonly V[]): StageGroup<V>[] {
  return SHOWN.map(({ stage, label }) => ({ stage, label, versions: versions.filter((v) => v.stage === stage) })).filter(
    (g) => g.versions.length > 0,
  );
}

/** The versions in one stage (for the models table's stage columns). */
export function inStage<V extends StagedVersion>(versions: readonly V[], stage: string): V[] {
  return versions.filter((v) => v.stage === stage);
}

/** `?page=` as a page number from 1; anything else (missing, 0, "x", "2.5") is page 1. */
export function parsePage(value: string | null | undefined): number {
  if (!value || !/^\d+$/.test(value)) return 1;
  const page = Number(value);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

/** How many pages `total` items fill, at least 1 (an empty list is page 1 of 1). */
export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/** The items to skip for a page: `(page - 1) * size`. */
export function pageOffset(page: number, size: number): number {
  return (Math.max(1, page) - 1) * size;
}

/** The search params with `page` set (page 1 is the default and is left out of the URL). */
export function withPage(params: URLSearchParams, page: number): URLSearchParams {
  const next = new URLSearchParams(params);
  if (page <= 1) next.delete("page");
  else next.set("page", String(page));
  return next;
}

/**
 * What the compare picker starts with: the URL's versions that the model has, in the URL's
 * order, each once. `known` is null while the model's versions are loading (keep them all).
 */
export function pickerSelection(wanted: readonly string[], known: readonly string[] | null): string[] {
  const have = known ? new Set(known) : null;
  const seen = new Set<string>();
  return wanted.filter((v) => {
    if (seen.has(v) || (have && !have.has(v))) return false;
    seen.add(v);
    return true;
  });
}

/** The versions of the URL the model does not have (named in the picker's message). */
export function unknownVersions(wanted: readonly string[], known: readonly string[]): string[] {
  const have = new Set(known);
  return [...new Set(wanted.filter((v) => !have.has(v)))];
}
