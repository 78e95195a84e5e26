import { uploadPath } from "./files";

/**
 * Where each chosen or dropped file goes inside the version, keeping the folders it came in.
 *
 * A folder keeps its own name, as on GitHub and GitLab: dropping (or picking) `model-dir` with
 * `config/params.json` inside stores `model-dir/config/params.json` (under the subfolder, if one is
 * typed), so two folders dropped together never merge. Single files land in the subfolder by name.
 */
export interface PlannedUpload {
  file: File;
  /** The path inside the version, `weights/model-dir/config/params.json`. */
  path: string;
}

/** Files the operating system puts in folders that nobody means to upload. */
const IGNORED = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);

/**
 * The path of a file relative to what was chosen: `model-dir/config/params.json` for a file of a
 * dropped or picked folder, the bare name for a single file.
 *
 * Read from file-selector's `relativePath`/`path` (what the drop zone sets: `/model-dir/…` from a
 * dropped folder's entries, `./name` for a loose file) or else the browser's `webkitRelativePath`
 * (`<input webkitdirectory>`).
 */
export function relativePathOf(file: File): string {
  const extra = file as File & { relativePath?: unknown; path?: unknown };
  const candidates = [extra.relativePath, extra.path, file.webkitRelativePath];
  for (const candidate of candidates) {
    if (typeof candidate !== "string" || candidate === "") continue;
    const clean = candidate
      .replace(/\\/g, "/")
      .replace(/^(\.?\/)+/, "")
      .split("/")
      .filter((s) => s !== "" && s !== ".")
      .join("/");
    if (clean !== "") return clean;
  }
  return file.name;
}

/** Each file with its path under `folder`; files such as `.DS_Store` are left out. */
export function planUploads(files: readonly File[], folder: string): PlannedUpload[] {
  return files
    .filter((file) => !IGNORED.has(file.name))
    .map((file) => ({ file, path: uploadPath(folder, relativePathOf(file)) }));
}

export interface UploadConflicts {
  /** Paths the version already has (or that are already on their way): uploading replaces them. */
  existing: string[];
  /** Paths more than one of the chosen files would go to. */
  duplicated: string[];
}

export function hasConflicts(conflicts: UploadConflicts): boolean {
  return conflicts.existing.length > 0 || conflicts.duplicated.length > 0;
}

/** Which planned paths would overwrite a file, each listed once, sorted. */
export function findConflicts(planned: readonly PlannedUpload[], existing: Iterable<string>): UploadConflicts {
  const there = new Set(existing);
  const counts = new Map<string, number>();
  for (const { path } of planned) counts.set(path, (counts.get(path) ?? 0) + 1);
  const sorted = (paths: Iterable<string>) => [...paths].sort((a, b) => a.localeCompare(b));
  return {
    existing: sorted([...counts.keys()].filter((p) => there.has(p))),
    duplicated: sorted([...counts].filter(([, n]) => n > 1).map(([p]) => p)),
  };
}

export type ConflictChoice = "replace" | "skip";

/**
 * What is sent after the user answered:
 * - replace: every path is sent once; existing files are replaced and, where several chosen files
 *   share a path, the last one chosen is the one sent;
 * - skip: only the files without a conflict; existing files stay and a path several chosen files
 *   share is not sent at all.
 */
export function resolveConflicts(
  planned: readonly PlannedUpload[],
  conflicts: UploadConflicts,
  choice: ConflictChoice,
): PlannedUpload[] {
  if (choice === "skip") {
    const skipped = new Set([...conflicts.existing, ...conflicts.duplicated]);
    return planned.filter((p) => !skipped.has(p.path));
  }
  const last = new Map<string, number>();
  planned.forEach((p, i) => last.set(p.path, i));
  return planned.filter((p, i) => last.get(p.path) === i);
}
