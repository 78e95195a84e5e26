/**
 * Activity entries with their reasons: the events of one action read as one entry.
 *
 * - Consecutive `version.file_uploaded` events of one actor on one version, each within
 *   `UPLOAD_WINDOW_MS` of the next, are one entry ("alice uploaded 12 files to 1.0.0") whose
 *   details list the files.
 * - An approval and the stage change it performed (same `request_id`) are one entry.
 * - The versions `archiveExisting` moved are named in the entry of the move that archived them;
 *   their own `version.stage_changed` events (payload `archived_by_version_id`) fold into it
 *   when it is in the list, and read on their own (with the reason as comment) when it is not.
 * - A request's, approval's, rejection's or move's comment is the entry's `comment`.
 */
import { describeEvent } from "./activity";

export interface GroupableEvent {
  id: string;
  type: string;
  actor: string;
  createdAt: string;
  payload: unknown;
}

export interface ActivityEntry<E extends GroupableEvent> {
  /** The newest event of the entry: its id is the entry's key, its time the entry's time. */
  event: E;
  events: E[];
  text: string;
  comment: string | null;
  /** A list to expand, such as the files of an upload batch. */
  details: { label: string; items: string[] } | null;
}

export const UPLOAD_WINDOW_MS = 5 * 60 * 1000;

type Payload = Record<string, unknown>;

function payloadOf(event: GroupableEvent): Payload {
  return (event.payload && typeof event.payload === "object" ? event.payload : {}) as Payload;
}

function text(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function archivedVersions(p: Payload): string[] {
  if (!Array.isArray(p.archived)) return [];
  return p.archived
    .map((ref) => (ref && typeof ref === "object" ? text((ref as Payload).version) : null))
    .filter((v): v is string => v !== null);
}

/** "1.0.0", "1.0.0 and 1.1.0", "1.0.0, 1.1.0 and 1.2.0". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function withArchived(sentence: string, archived: string[]): string {
  return archived.length ? `${sentence} and archived ${listWords(archived)}` : sentence;
}

function isUpload(e: GroupableEvent): boolean {
  return e.type === "version.file_uploaded";
}

function sameUploadBatch(a: GroupableEvent, b: GroupableEvent): boolean {
  const gap = Math.abs(Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return (
    isUpload(a) &&
    isUpload(b) &&
    a.actor === b.actor &&
    text(payloadOf(a).version) === text(payloadOf(b).version) &&
    gap <= UPLOAD_WINDOW_MS
  );
}

function uploadEntry<E extends GroupableEvent>(first: E, batch: E[]): ActivityEntry<E> {
  if (batch.length === 1) {
    return { event: first, events: batch, text: describeEvent(first), comment: null, details: null };
  }
  const version = text(payloadOf(first).version) ?? "a version";
  // Oldest first: the order they were uploaded in.
  const paths = [...batch].reverse().map((e) => text(payloadOf(e).path) ?? "?");
  return {
    event: first,
    events: batch,
    text: `${first.actor || "someone"} uploaded ${batch.length} files to ${version}`,
    comment: null,
    details: { label: `${batch.length} files`, items: paths },
  };
}

/** Entries newest first, from events newest first (as `mergeEvents` returns them). */
export function groupActivity<E extends GroupableEvent>(events: readonly E[]): ActivityEntry<E>[] {
  // The stage changes performed by an approval in the list, by request id.
  const approvals = new Set<string>();
  const moves = new Map<string, E>();
  // Versions moved with archiveExisting in the list: "<actor> <version id> <request id>".
  const movers = new Set<string>();
  const moverKey = (actor: string, versionId: unknown, requestId: unknown) =>
    `${actor} ${String(versionId)} ${String(requestId ?? "")}`;
  for (const e of events) {
    const p = payloadOf(e);
    const request = text(p.request_id);
    if (e.type === "version.transition_approved" && request) approvals.add(request);
    if (e.type === "version.stage_changed" && !p.archived_by_version_id) {
      if (request) moves.set(request, e);
      if (archivedVersions(p).length) movers.add(moverKey(e.actor, p.version_id, p.request_id));
    }
  }

  const entries: ActivityEntry<E>[] = [];
  let batch: E[] = [];
  for (const e of events) {
    const p = payloadOf(e);
    const request = text(p.request_id);
    const last = batch[batch.length - 1];
    if (last && sameUploadBatch(last, e)) {
      batch.push(e);
      continue;
    }
    if (batch[0]) entries.push(uploadEntry(batch[0], batch));
    batch = [];
    if (isUpload(e)) {
      batch = [e];
      continue;
    }
    if (e.type === "version.stage_changed") {
      // Folded into the approval that performed it, or the move that archived it.
      if (request && approvals.has(request) && !p.archived_by_version_id) continue;
      if (p.archived_by_version_id && movers.has(moverKey(e.actor, p.archived_by_version_id, p.request_id))) continue;
      entries.push({
        event: e,
        events: [e],
        text: withArchived(describeEvent(e), archivedVersions(p)),
        comment: text(p.comment),
        details: null,
      });
      continue;
    }
    if (e.type === "version.transition_approved" && request) {
      const move = moves.get(request);
      const archived = move ? archivedVersions(payloadOf(move)) : [];
      entries.push({
        event: e,
        events: move ? [e, move] : [e],
        text: withArchived(describeEvent(e), archived),
        comment: text(p.comment),
        details: null,
      });
      continue;
    }
    const withComment = [
      "version.transition_requested",
      "version.transition_rejected",
      "version.transition_cancelled",
    ].includes(e.type);
    entries.push({
      event: e,
      events: [e],
      text: describeEvent(e),
      comment: withComment ? text(p.comment) : null,
      details: null,
    });
  }
  if (batch[0]) entries.push(uploadEntry(batch[0], batch));
  return entries;
}
