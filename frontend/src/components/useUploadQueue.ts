import { useCallback, useEffect, useEffectEvent, useReducer, useRef } from "react";

import { csrfHeaders } from "../lib/csrf";
import { fileApiUrl } from "../lib/files";
import type { PlannedUpload } from "../lib/folderUpload";
import {
  initialUploadState,
  isActive,
  nextToStart,
  uploadErrorCode,
  uploadErrorMessage,
  uploadReducer,
  type UploadItem,
  type UploadState,
} from "../lib/uploads";

/** Files on their way at once; the rest wait their turn. */
const PARALLEL = 3;

export interface UploadQueue {
  state: UploadState;
  /** Queues files at the given paths inside the version. */
  add: (uploads: readonly PlannedUpload[]) => void;
  /** Stops a file on its way (the request is aborted) or drops one still waiting. */
  cancel: (id: number) => void;
  retry: (id: number) => void;
  clearFinished: () => void;
}

/**
 * Sends queued files with XMLHttpRequest (for upload progress) as `PUT {target}/files/{path}`.
 * While `target` is null (the version does not exist yet) files wait in the queue.
 * `onSettled` runs once every file that was sent has ended.
 */
export function useUploadQueue({
  target,
  maxFileSize,
  onSettled,
}: {
  target: string | null;
  maxFileSize: number;
  onSettled?: (items: UploadItem[]) => void;
}): UploadQueue {
  const [state, dispatch] = useReducer(uploadReducer, initialUploadState);
  const requests = useRef(new Map<number, XMLHttpRequest>());

  const send = useEffectEvent((item: UploadItem, base: string) => {
    const xhr = new XMLHttpRequest();
    requests.current.set(item.id, xhr);
    dispatch({ type: "start", id: item.id });
    xhr.upload.onprogress = (event) => dispatch({ type: "progress", id: item.id, loaded: event.loaded });
    xhr.onload = () => {
      requests.current.delete(item.id);
      if (xhr.status >= 200 && xhr.status < 300) dispatch({ type: "done", id: item.id });
      else {
        const [status, body] = [xhr.status, xhr.responseText];
        dispatch({ type: "failed", id: item.id, message: uploadErrorMessage(status, body), code: uploadErrorCode(status, body) });
      }
    };
    xhr.onerror = () => {
      requests.current.delete(item.id);
      dispatch({ type: "failed", id: item.id, message: uploadErrorMessage(0, ""), code: uploadErrorCode(0, "") });
    };
    xhr.onabort = () => requests.current.delete(item.id);
    xhr.open("PUT", fileApiUrl(base, item.path));
    // Signed in by the session cookie: the server wants the CSRF token echoed on every PUT.
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    // The browser sets Content-Type from the file's type when it knows one.
    xhr.send(item.file);
  });

  // Start what is queued whenever a slot frees up (or the version comes to exist).
  useEffect(() => {
    if (target === null) return;
    for (const item of nextToStart(state, PARALLEL)) {
      if (!requests.current.has(item.id)) send(item, target);
    }
  }, [state, target]);

  // Tell the owner once all sent files have ended.
  const active = state.items.some(isActive);
  const wasActive = useRef(false);
  const settled = useEffectEvent(() => onSettled?.(state.items));
  useEffect(() => {
    if (target === null) return;
    if (wasActive.current && !active) settled();
    wasActive.current = active;
  }, [active, target]);

  // Leaving the page mid-upload loses the upload: ask first, and abort what is left on unmount.
  const uploading = state.items.some((item) => item.status === "uploading");
  useEffect(() => {
    if (!uploading) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [uploading]);
  useEffect(() => {
    const inFlight = requests.current;
    return () => {
      for (const xhr of inFlight.values()) xhr.abort();
      inFlight.clear();
    };
  }, []);

  const add = useCallback(
    (uploads: readonly PlannedUpload[]) => dispatch({ type: "add", uploads, maxFileSize }),
    [maxFileSize],
  );
  const cancel = useCallback((id: number) => {
    requests.current.get(id)?.abort();
    requests.current.delete(id);
    dispatch({ type: "cancel", id });
  }, []);
  const retry = useCallback((id: number) => dispatch({ type: "retry", id }), []);
  const clearFinished = useCallback(() => dispatch({ type: "clearFinished" }), []);
  return { state, add, cancel, retry, clearFinished };
}
