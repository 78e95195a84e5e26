import { errorCodeOf, type ErrorCode } from "./errors";
import { formatBytes } from "./files";
import type { PlannedUpload } from "./folderUpload";

/**
 * The upload queue as plain state: which files wait, which are on their way and how far, and how
 * each ended. The component owns the XMLHttpRequests; this module only decides what the state is.
 *
 * queued → uploading → done | failed | cancelled; a file over the size limit is `refused` at once
 * and never sent. Cancelling a file that has not started removes it from the queue; a failed or
 * cancelled file can be queued again (retry).
 */
export type UploadStatus = "queued" | "uploading" | "done" | "failed" | "cancelled" | "refused";

export interface UploadItem {
  id: number;
  file: File;
  /** Where it goes inside the version, `config/params.json`. */
  path: string;
  size: number;
  status: UploadStatus;
  /** Bytes sent so far. */
  loaded: number;
  /** Why it failed or was refused, in words for the user. */
  error: string | null;
  /** The same in the server's vocabulary: FILE_TOO_LARGE for a refused file; null unless it failed. */
  code: ErrorCode | null;
}

export interface UploadState {
  items: UploadItem[];
  nextId: number;
}

export type UploadAction =
  | { type: "add"; uploads: readonly PlannedUpload[]; maxFileSize: number }
  | { type: "start"; id: number }
  | { type: "progress"; id: number; loaded: number }
  | { type: "done"; id: number }
  | { type: "failed"; id: number; message: string; code?: ErrorCode }
  | { type: "cancel"; id: number }
  | { type: "retry"; id: number }
  | { type: "clearFinished" };

export const initialUploadState: UploadState = { items: [], nextId: 1 };

/** Why `file` is not sent at all, or null. Checked before anything leaves the browser. */
export function refusal(file: File, maxFileSize: number): string | null {
  if (file.size > maxFileSize) {
    let size = formatBytes(file.size);
    let limit = formatBytes(maxFileSize);
    if (size === limit) {
      // Just over the limit both round alike: give the exact numbers.
      size = `${file.size.toLocaleString("en")} bytes`;
      limit = `${maxFileSize.toLocaleString("en")}-byte`;
    }
    return `${size} is over the ${limit} limit per file; it was not sent.`;
  }
  return null;
}

function update(state: UploadState, id: number, change: (item: UploadItem) => UploadItem | null): UploadState {
  let changed = false;
  const items: UploadItem[] = [];
  for (const item of state.items) {
    if (item.id !== id) {
      items.push(item);
      continue;
    }
    const next = change(item);
    if (next !== item) changed = true;
    if (next) items.push(next);
  }
  return changed ? { ...state, items } : state;
}

export function uploadReducer(state: UploadState, action: UploadAction): UploadState {
  switch (action.type) {
    case "add": {
      const added = action.uploads.map(({ file, path }, i): UploadItem => {
        const problem = refusal(file, action.maxFileSize);
        return {
          id: state.nextId + i,
          file,
          path,
          size: file.size,
          status: problem ? "refused" : "queued",
          loaded: 0,
          error: problem,
          code: problem ? "FILE_TOO_LARGE" : null,
        };
      });
      return { items: [...state.items, ...added], nextId: state.nextId + added.length };
    }
    case "start":
      return update(state, action.id, (item) =>
        item.status === "queued" ? { ...item, status: "uploading", loaded: 0 } : item,
      );
    case "progress":
      return update(state, action.id, (item) =>
        item.status === "uploading" ? { ...item, loaded: Math.min(action.loaded, item.size) } : item,
      );
    case "done":
      return update(state, action.id, (item) =>
        item.status === "uploading" ? { ...item, status: "done", loaded: item.size, error: null, code: null } : item,
      );
    case "failed":
      return update(state, action.id, (item) =>
        item.status === "uploading" || item.status === "queued"
          ? { ...item, status: "failed", error: action.message, code: action.code ?? "INTERNAL" }
          : item,
      );
    case "cancel":
      return update(state, action.id, (item) => {
        if (item.status === "queued") return null; // never sent: just forget it
        if (item.status === "uploading") return { ...item, status: "cancelled", error: "Cancelled." };
        return item;
      });
    case "retry":
      return update(state, action.id, (item) =>
        item.status === "failed" || item.status === "cancelled"
          ? { ...item, status: "queued", loaded: 0, error: null, code: null }
          : item,
      );
    case "clearFinished": {
      const items = state.items.filter((item) => isActive(item));
      return items.length === state.items.length ? state : { ...state, items };
    }
  }
}

/** Still waiting or on its way. */
export function isActive(item: UploadItem): boolean {
  return item.status === "queued" || item.status === "uploading";
}

/** 0–100 for a progress bar. */
export function percent(item: UploadItem): number {
  if (item.status === "done") return 100;
  if (item.size === 0) return item.status === "uploading" ? 100 : 0;
  return Math.round((item.loaded / item.size) * 100);
}

/** The next files to start so that at most `parallel` are on their way. */
export function nextToStart(state: UploadState, parallel: number): UploadItem[] {
  const running = state.items.filter((i) => i.status === "uploading").length;
  const room = Math.max(0, parallel - running);
  return state.items.filter((i) => i.status === "queued").slice(0, room);
}

export interface UploadSummary {
  queued: number;
  uploading: number;
  done: number;
  /** Failed or refused. */
  failed: number;
  cancelled: number;
}

export function summarize(items: readonly UploadItem[]): UploadSummary {
  const summary: UploadSummary = { queued: 0, uploading: 0, done: 0, failed: 0, cancelled: 0 };
  for (const item of items) {
    if (item.status === "refused") summary.failed += 1;
    else summary[item.status] += 1;
  }
  return summary;
}

/** The server's `{"error": {"message"}}` when it sent one, else a sentence naming the status. */
export function uploadErrorMessage(status: number, body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
      const error: unknown = parsed.error;
      if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
        return error.message;
      }
    }
  } catch {
    // not JSON: a proxy's HTML page, or nothing at all
  }
  if (status === 0) return "The registry server cannot be reached. Check that it is running and try again.";
  if (status === 413) return "The file is larger than the server accepts.";
  return `The upload failed (HTTP ${status}).`;
}

/**
 * The code of a failed upload: the server's `{"error": {"code"}}` when it is one of ours, else
 * UNAVAILABLE when the server was not reached, FILE_TOO_LARGE for a 413, INTERNAL otherwise.
 */
export function uploadErrorCode(status: number, body: string): ErrorCode {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
      const error: unknown = parsed.error;
      if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
        return errorCodeOf(error.code);
      }
    }
  } catch {
    // not JSON: decided by the status below
  }
  if (status === 0) return "UNAVAILABLE";
  if (status === 413) return "FILE_TOO_LARGE";
  return "INTERNAL";
}

/** A file that did not arrive and why: what the create form hands to the version page. */
export interface FailedUpload {
  path: string;
  message: string;
}

export function failedUploads(items: readonly UploadItem[]): FailedUpload[] {
  return items
    .filter((i) => i.status === "failed" || i.status === "refused" || i.status === "cancelled")
    .map((i) => ({ path: i.path, message: i.error ?? "Not uploaded." }));
}

/** The failed uploads in a navigation's state, `{failedUploads: [...]}`; [] for anything else. */
export function failedUploadsFrom(state: unknown): FailedUpload[] {
  if (typeof state !== "object" || state === null || !("failedUploads" in state)) return [];
  const list: unknown = state.failedUploads;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (x: unknown): x is FailedUpload =>
      typeof x === "object" &&
      x !== null &&
      "path" in x &&
      typeof x.path === "string" &&
      "message" in x &&
      typeof x.message === "string",
  );
}
