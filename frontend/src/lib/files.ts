/**
 * The largest file one upload may store, in bytes. Mirrors the server's MODELREG_MAX_FILE_SIZE
 * default (5 GiB); the API does not report the configured value yet, so this is the one place to
 * change when it does. A larger file is refused in the browser with FILE_TOO_LARGE (lib/uploads.ts);
 * the server checks again and answers 413 with the same code.
 */
export const MAX_FILE_SIZE = 5 * 1024 ** 3;

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** 1536 → "1.5 KB", 1572864 → "1.5 MB" (powers of 1024, at most one decimal). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // Rounding may reach the next unit: 1023.96 KB shows as "1 MB", not "1024 KB".
  let text = value < 100 ? value.toFixed(1) : value.toFixed(0);
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    unit += 1;
    text = (Number(text) / 1024).toFixed(1);
  }
  return `${text.replace(/\.0$/, "")} ${UNITS[unit]}`;
}

/** The first 12 hex digits: enough to tell files apart at a glance. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What the tree needs of a file; the GraphQL `ModelFile` has these and more. */
export interface TreeFile {
  path: string;
  size: number;
}

export interface FileNode<F extends TreeFile> {
  kind: "file";
  name: string;
  path: string;
  file: F;
}

export interface FolderNode<F extends TreeFile> {
  kind: "folder";
  /** The last segment, `params` for `config/params`; "" for the root. */
  name: string;
  /** Without a trailing '/', `config/params`; "" for the root. */
  path: string;
  children: TreeNode<F>[];
  /** Bytes in every file below. */
  size: number;
  /** Files below, at any depth. */
  fileCount: number;
}

export type TreeNode<F extends TreeFile> = FileNode<F> | FolderNode<F>;

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function compareNodes<F extends TreeFile>(a: TreeNode<F>, b: TreeNode<F>): number {
  if (a.kind !== b.kind) return a.kind === "folder" ? -1 : 1;
  return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * Files with paths like `config/params.json` as a folder tree: folders first, then files, each by
 * name (`file2` before `file10`); every folder knows its total size and file count.
 */
export function buildFileTree<F extends TreeFile>(files: readonly F[]): FolderNode<F> {
  const root = folderNode<F>("", "");
  const folders = new Map<string, FolderNode<F>>([["", root]]);
  for (const file of files) {
    const segments = file.path.split("/");
    const name = segments.pop() ?? file.path;
    let folder = root;
    const count = (f: FolderNode<F>) => {
      f.size += file.size;
      f.fileCount += 1;
    };
    count(root);
    for (const segment of segments) {
      const path = folder.path === "" ? segment : `${folder.path}/${segment}`;
      let next = folders.get(path);
      if (!next) {
        next = folderNode<F>(segment, path);
        folder.children.push(next);
        folders.set(path, next);
      }
      folder = next;
      count(folder);
    }
    folder.children.push({ kind: "file", name, path: file.path, file });
  }
  const sort = (folder: FolderNode<F>) => {
    folder.children.sort(compareNodes);
    for (const child of folder.children) if (child.kind === "folder") sort(child);
  };
  sort(root);
  return root;
}

function folderNode<F extends TreeFile>(name: string, path: string): FolderNode<F> {
  return { kind: "folder", name, path, children: [], size: 0, fileCount: 0 };
}

/** Paths of every file at or below `node`. */
export function filePathsUnder<F extends TreeFile>(node: TreeNode<F>): string[] {
  if (node.kind === "file") return [node.path];
  return node.children.flatMap((child) => filePathsUnder(child));
}

export interface VisibleRow<F extends TreeFile> {
  node: TreeNode<F>;
  depth: number;
}

/** The rows a tree table shows, depth first, skipping what is inside collapsed folders. */
export function visibleRows<F extends TreeFile>(
  root: FolderNode<F>,
  collapsed: ReadonlySet<string>,
): VisibleRow<F>[] {
  const rows: VisibleRow<F>[] = [];
  const walk = (folder: FolderNode<F>, depth: number) => {
    for (const child of folder.children) {
      rows.push({ node: child, depth });
      if (child.kind === "folder" && !collapsed.has(child.path)) walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}

/**
 * `config/`, `/config`, ` config ` → `config`; `a/b` stays. Only tidies: `folderProblem` says
 * whether the result is acceptable.
 */
export function normalizeFolder(text: string): string {
  return text.trim().replace(/^\/+|\/+$/g, "");
}

/** Why a subfolder typed by the user cannot hold files, in the words the form shows; null if fine. */
export function folderProblem(text: string): string | null {
  const folder = normalizeFolder(text);
  if (folder === "") return null;
  if (folder.includes("\\")) return "Separate folders with '/', not '\\'.";
  const segments = folder.split("/");
  if (segments.some((s) => s === "")) return "Folder names must not be empty ('//').";
  if (segments.some((s) => s === "." || s === "..")) return "'.' and '..' are not folder names.";
  if (segments.some((s) => s.trim() !== s)) return "Remove the spaces around folder names.";
  return null;
}

/** Where a picked file goes inside the version: `config` + `params.json` → `config/params.json`. */
export function uploadPath(folder: string, fileName: string): string {
  const clean = normalizeFolder(folder);
  return clean === "" ? fileName : `${clean}/${fileName}`;
}

const enc = encodeURIComponent;

/** The REST base of a version's files: `/api/v1/projects/{p}/models/{m}/versions/{v}`. */
export function versionApiBase(project: string, model: string, version: string): string {
  return `/api/v1/projects/${enc(project)}/models/${enc(model)}/versions/${enc(version)}`;
}

/** PUT (upload) or GET (download) one file: each segment encoded, the '/' between folders kept. */
export function fileApiUrl(base: string, path: string): string {
  return `${base}/files/${path.split("/").map(enc).join("/")}`;
}

/**
 * The attached file MLflow reads the model from: `MLmodel` in the top folder, else the shallowest
 * one (a model logged under `model/`); null when there is none.
 */
export function mlmodelPath(paths: readonly string[]): string | null {
  const found = paths.filter((p) => p === "MLmodel" || p.endsWith("/MLmodel"));
  found.sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
  return found[0] ?? null;
}

/** A chosen file's text (`Blob.text()`, or FileReader where that is missing, as in jsdom). */
export function readText(file: Blob): Promise<string> {
  if (typeof file.text === "function") return file.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsText(file);
  });
}
