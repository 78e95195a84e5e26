export interface TagFilter {
  key: string;
  value?: string;
}

/** `team=growth` → {key: "team", value: "growth"}; `pii` → {key: "pii"} (has the tag at all). */
export function parseTagFilter(text: string): TagFilter | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const at = trimmed.indexOf("=");
  if (at === -1) return { key: trimmed };
  const key = trimmed.slice(0, at).trim();
  if (key === "") return null;
  return { key, value: trimmed.slice(at + 1).trim() };
}

export function formatTagFilter(filter: TagFilter): string {
  return filter.value === undefined ? filter.key : `${filter.key}=${filter.value}`;
}

export function parseTagFilters(texts: readonly string[]): TagFilter[] {
  return texts.map(parseTagFilter).filter((f): f is TagFilter => f !== null);
}

/** The tags typed in a create form (`team=growth`, `pii`) as the API's tag inputs ("" for no value). */
export function tagInputs(texts: readonly string[]): { key: string; value: string }[] {
  return parseTagFilters(texts).map((t) => ({ key: t.key, value: t.value ?? "" }));
}

/** A tag as a badge shows it: `team: growth`, or just `pii` for a tag without a value. */
export function tagLabel(tag: { key: string; value: string }): string {
  return tag.value === "" ? tag.key : `${tag.key}: ${tag.value}`;
}
