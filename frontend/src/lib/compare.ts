import type { Bump, CompatibilityVerdict, RowStatus } from "../gql/graphql";

/**
 * The compare page's logic: which selections can be compared, which rows to show, and how each
 * cell differs from the first version's. The server decides each row's status; the page only
 * filters and colours.
 */

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 10;

/** Why these many selected versions cannot be compared (the Compare button's reason), or null. */
export function compareSelectionProblem(count: number): string | null {
  if (count < MIN_COMPARE) {
    return count === 0
      ? "Select at least two versions to compare."
      : "Select at least one more version to compare.";
  }
  if (count > MAX_COMPARE) return `Compare at most ${MAX_COMPARE} versions at a time (${count} selected).`;
  return null;
}

/** The rows to show: all, or only those that differ between the versions. */
export function visibleRows<T extends { differs: boolean }>(rows: readonly T[], differencesOnly: boolean): T[] {
  return differencesOnly ? rows.filter((r) => r.differs) : [...rows];
}

export interface StatusCount {
  status: RowStatus;
  count: number;
}

/** How many rows were added, removed or changed (in that order, zeros left out). */
export function statusCounts(rows: readonly { status: RowStatus }[]): StatusCount[] {
  const order: RowStatus[] = ["ADDED", "REMOVED", "CHANGED"];
  return order
    .map((status) => ({ status, count: rows.filter((r) => r.status === status).length }))
    .filter((c) => c.count > 0);
}

/** What one version's cell is next to the first (baseline) version's. */
export type CellChange = "base" | "same" | "added" | "removed" | "changed";

/**
 * Each cell against the first one: `null` means the version lacks the row. The first cell is the
 * baseline; a value where the baseline has none is `added`, none where it has one `removed`, a
 * different value `changed`.
 */
export function cellChanges(keys: readonly (string | null | undefined)[]): CellChange[] {
  const base = keys[0] ?? null;
  return keys.map((raw, i) => {
    if (i === 0) return "base";
    const key = raw ?? null;
    if (key === base) return "same";
    if (base === null) return "added";
    if (key === null) return "removed";
    return "changed";
  });
}

export const STATUS_COLORS: Record<RowStatus, string> = {
  SAME: "gray",
  ADDED: "green",
  REMOVED: "red",
  CHANGED: "yellow",
};

/** The background of a cell that differs from the baseline (Mantine's light variant colours). */
export function cellBackground(change: CellChange): string | undefined {
  switch (change) {
    case "added":
      return "var(--mantine-color-green-light)";
    case "removed":
      return "var(--mantine-color-red-light)";
    case "changed":
      return "var(--mantine-color-yellow-light)";
    default:
      return undefined;
  }
}

export const CELL_CHANGE_LABELS: Record<CellChange, string> = {
  base: "baseline",
  same: "same as the first version",
  added: "added since the first version",
  removed: "not in this version",
  changed: "changed since the first version",
};

export interface ColumnLike {
  name?: string | null;
  type: string;
  shape?: readonly number[] | null;
  optional: boolean;
}

/** `double`, `long (optional)`, `tensor float32 [-1, 4]`: one signature column in a cell. */
export function formatColumn(column: ColumnLike): string {
  const shape = column.shape && column.shape.length > 0 ? ` [${column.shape.join(", ")}]` : "";
  return `${column.type}${shape}${column.optional ? " (optional)" : ""}`;
}

/** What decides whether two versions' columns are the same (name aside: it is the row's key). */
export function columnKey(column: ColumnLike | null | undefined): string | null {
  if (!column) return null;
  return JSON.stringify([column.type, column.shape ?? null, column.optional]);
}

export const VERDICT_LABELS: Record<CompatibilityVerdict, { label: string; color: string }> = {
  OK: { label: "Number fits the changes", color: "green" },
  TOO_SMALL: { label: "Bump too small", color: "red" },
  FIRST_RELEASE: { label: "First release", color: "blue" },
  UNKNOWN: { label: "Not checked", color: "gray" },
};

export function bumpLabel(bump: Bump | null | undefined): string {
  return bump ? bump.charAt(0) + bump.slice(1).toLowerCase() : "—";
}
