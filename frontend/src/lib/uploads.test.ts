import { describe, expect, it } from "vitest";

import { uploadPath } from "./files";
import {
  failedUploads,
  failedUploadsFrom,
  initialUploadState,
  nextToStart,
  percent,
  summarize,
  uploadErrorCode,
  uploadErrorMessage,
  uploadReducer,
  type UploadAction,
  type UploadState,
} from "./uploads";

function file(name: string, size: number): File {
  return new File([new Uint8Array(size)], name);
}

function run(...actions: UploadAction[]): UploadState {
  return actions.reduce(uploadReducer, initialUploadState);
}

const add = (files: File[], folder = "", maxFileSize = 1000): UploadAction => ({
  type: "add",
  uploads: files.map((f) => ({ file: f, path: uploadPath(folder, f.name) })),
  maxFileSize,
});

describe("uploadReducer", () => {
  it("queues files under the subfolder with fresh ids", () => {
    const state = run(add([file("a.json", 10), file("b.bin", 20)], "config/"), add([file("c", 1)]));
    expect(state.items.map((i) => [i.id, i.path, i.size, i.status])).toEqual([
      [1, "config/a.json", 10, "queued"],
      [2, "config/b.bin", 20, "queued"],
      [3, "c", 1, "queued"],
    ]);
    expect(state.nextId).toBe(4);
  });

  it("refuses a file over the limit before anything is sent", () => {
    const state = run(add([file("big.bin", 1025), file("ok.bin", 1024)], "", 1024));
    expect(state.items.map((i) => i.status)).toEqual(["refused", "queued"]);
    expect(state.items[0]?.error).toBe("1,025 bytes is over the 1,024-byte limit per file; it was not sent.");
    // A refused file is never started.
    expect(nextToStart(state, 4).map((i) => i.path)).toEqual(["ok.bin"]);
    expect(uploadReducer(state, { type: "start", id: 1 }).items[0]?.status).toBe("refused");
  });

  it("names both sizes when refusing", () => {
    const state = run(add([file("big.bin", 3 * 1024 * 1024)], "", 2 * 1024 * 1024));
    expect(state.items[0]?.error).toBe("3 MB is over the 2 MB limit per file; it was not sent.");
  });

  it("tracks progress, then done", () => {
    let state = run(add([file("a", 200)]), { type: "start", id: 1 }, { type: "progress", id: 1, loaded: 50 });
    expect(state.items[0]?.status).toBe("uploading");
    expect(percent(state.items[0]!)).toBe(25);
    state = uploadReducer(state, { type: "progress", id: 1, loaded: 500 });
    expect(state.items[0]?.loaded).toBe(200);
    state = uploadReducer(state, { type: "done", id: 1 });
    expect(state.items[0]).toMatchObject({ status: "done", loaded: 200, error: null });
    expect(percent(state.items[0]!)).toBe(100);
  });

  it("keeps the server's message when a file fails", () => {
    const state = run(add([file("a", 1)]), { type: "start", id: 1 }, { type: "failed", id: 1, message: "Bad path." });
    expect(state.items[0]).toMatchObject({ status: "failed", error: "Bad path." });
  });

  it("cancels an upload on its way and forgets a queued one", () => {
    const state = run(add([file("a", 1), file("b", 1)]), { type: "start", id: 1 }, { type: "cancel", id: 1 }, {
      type: "cancel",
      id: 2,
    });
    expect(state.items.map((i) => [i.path, i.status])).toEqual([["a", "cancelled"]]);
    // Late events from the aborted request change nothing.
    expect(uploadReducer(state, { type: "progress", id: 1, loaded: 1 })).toBe(state);
    expect(uploadReducer(state, { type: "done", id: 1 })).toBe(state);
  });

  it("queues a failed or cancelled file again on retry, but not a refused one", () => {
    const state = run(
      add([file("a", 10), file("b", 10), file("huge", 5000)]),
      { type: "start", id: 1 },
      { type: "failed", id: 1, message: "Server error." },
      { type: "start", id: 2 },
      { type: "progress", id: 2, loaded: 5 },
      { type: "cancel", id: 2 },
      { type: "retry", id: 1 },
      { type: "retry", id: 2 },
      { type: "retry", id: 3 },
    );
    expect(state.items.map((i) => [i.path, i.status, i.loaded, i.error !== null])).toEqual([
      ["a", "queued", 0, false],
      ["b", "queued", 0, false],
      ["huge", "refused", 0, true],
    ]);
  });

  it("ignores actions for unknown files", () => {
    const state = run(add([file("a", 1)]));
    expect(uploadReducer(state, { type: "start", id: 99 })).toBe(state);
  });

  it("starts at most `parallel` files at once", () => {
    let state = run(add([file("a", 1), file("b", 1), file("c", 1), file("d", 1)]));
    expect(nextToStart(state, 3).map((i) => i.id)).toEqual([1, 2, 3]);
    state = run(add([file("a", 1), file("b", 1), file("c", 1), file("d", 1)]), { type: "start", id: 1 }, {
      type: "start",
      id: 2,
    });
    expect(nextToStart(state, 3).map((i) => i.id)).toEqual([3]);
  });

  it("summarizes and clears finished rows but keeps active ones", () => {
    const state = run(
      add([file("a", 1), file("b", 1), file("c", 1), file("d", 1), file("huge", 5000)]),
      { type: "start", id: 1 },
      { type: "done", id: 1 },
      { type: "start", id: 2 },
      { type: "failed", id: 2, message: "no" },
      { type: "start", id: 3 },
    );
    expect(summarize(state.items)).toEqual({ queued: 1, uploading: 1, done: 1, failed: 2, cancelled: 0 });
    const cleared = uploadReducer(state, { type: "clearFinished" });
    expect(cleared.items.map((i) => i.path)).toEqual(["c", "d"]);
  });
});

describe("uploadErrorMessage", () => {
  it("uses the server's message", () => {
    const body = JSON.stringify({ error: { code: "FILE_TOO_LARGE", message: "The file is too big." } });
    expect(uploadErrorMessage(413, body)).toBe("The file is too big.");
  });

  it("falls back to the status", () => {
    expect(uploadErrorMessage(502, "<html>Bad gateway</html>")).toBe("The upload failed (HTTP 502).");
    expect(uploadErrorMessage(413, "")).toBe("The file is larger than the server accepts.");
    expect(uploadErrorMessage(0, "")).toMatch(/cannot be reached/);
    expect(uploadErrorMessage(500, JSON.stringify({ error: "oops" }))).toBe("The upload failed (HTTP 500).");
  });
});

describe("error codes of uploads (the server's ErrorCode vocabulary)", () => {
  it("marks a file refused for its size FILE_TOO_LARGE, and clears the code on retry", () => {
    let state = run(add([file("big.bin", 1025), file("ok.bin", 10)], "", 1024));
    expect(state.items.map((i) => i.code)).toEqual(["FILE_TOO_LARGE", null]);
    state = uploadReducer(state, { type: "start", id: 2 });
    state = uploadReducer(state, { type: "failed", id: 2, message: "Not reached.", code: "UNAVAILABLE" });
    expect(state.items[1]).toMatchObject({ status: "failed", code: "UNAVAILABLE" });
    state = uploadReducer(state, { type: "retry", id: 2 });
    expect(state.items[1]).toMatchObject({ status: "queued", code: null });
  });

  it("uses the server's code when it is one of ours, else one decided by the status", () => {
    const body = (code: string) => JSON.stringify({ error: { code, message: "no" } });
    expect(uploadErrorCode(413, body("FILE_TOO_LARGE"))).toBe("FILE_TOO_LARGE");
    expect(uploadErrorCode(403, body("PERMISSION_DENIED"))).toBe("PERMISSION_DENIED");
    expect(uploadErrorCode(400, body("NOT_A_CODE"))).toBe("INTERNAL");
    expect(uploadErrorCode(413, "<html>Too large</html>")).toBe("FILE_TOO_LARGE");
    expect(uploadErrorCode(0, "")).toBe("UNAVAILABLE");
    expect(uploadErrorCode(502, "<html>Bad gateway</html>")).toBe("INTERNAL");
  });
});

describe("failed uploads handed to the version page", () => {
  it("lists what did not arrive, with the reason", () => {
    const state = run(
      add([file("ok", 1), file("bad", 1), file("huge", 5000)], "config"),
      { type: "start", id: 1 },
      { type: "done", id: 1 },
      { type: "start", id: 2 },
      { type: "failed", id: 2, message: "Server error." },
    );
    const failed = failedUploads(state.items);
    expect(failed).toEqual([
      { path: "config/bad", message: "Server error." },
      { path: "config/huge", message: "4.9 KB is over the 1000 B limit per file; it was not sent." },
    ]);
    expect(failedUploadsFrom({ failedUploads: failed })).toEqual(failed);
  });

  it("reads nothing from other navigation state", () => {
    expect(failedUploadsFrom(null)).toEqual([]);
    expect(failedUploadsFrom({ failedUploads: "x" })).toEqual([]);
    expect(failedUploadsFrom({ failedUploads: [{ path: 1 }, { path: "a", message: "b" }] })).toEqual([
      { path: "a", message: "b" },
    ]);
  });
});
