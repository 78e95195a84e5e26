/** Turns activity-log events into readable sentences ("alice moved 1.2.0 from Staging to Production"). */

import { followingPhrase } from "./serving";

export type StageName = "NONE" | "STAGING" | "PRODUCTION" | "ARCHIVED";

export const STAGES: readonly StageName[] = ["NONE", "STAGING", "PRODUCTION", "ARCHIVED"];

const STAGE_LABELS: Record<StageName, string> = {
  NONE: "None",
  STAGING: "Staging",
  PRODUCTION: "Production",
  ARCHIVED: "Archived",
};

const STAGE_COLORS: Record<StageName, string> = {
  NONE: "gray",
  STAGING: "yellow",
  PRODUCTION: "green",
  ARCHIVED: "dark",
};

export function stageLabel(stage: unknown): string {
  return typeof stage === "string" && stage in STAGE_LABELS ? STAGE_LABELS[stage as StageName] : String(stage ?? "?");
}

export function stageColor(stage: string): string {
  return STAGE_COLORS[stage as StageName] ?? "gray";
}

export interface ActivityEvent {
  type: string;
  actor: string;
  payload: unknown;
}

function str(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return null;
}

/** One sentence describing the event; unknown types still read sensibly. */
export function describeEvent(event: ActivityEvent): string {
  const p = (event.payload && typeof event.payload === "object" ? event.payload : {}) as Record<string, unknown>;
  const who = event.actor || "someone";
  const version = str(p.version) ?? "a version";
  const to = stageLabel(p.to);
  const from = stageLabel(p.from);
  const alias = str(p.alias) ?? "an alias";
  const model = str(p.model) ?? str(p.name);
  const requester = str(p.requester);
  const whose = !requester ? "the" : requester === event.actor ? "their own" : `${requester}'s`;
  switch (event.type) {
    case "version.stage_changed":
      return `${who} moved ${version} from ${from} to ${to}`;
    case "version.transition_requested":
      return `${who} requested to move ${version} from ${from} to ${to}`;
    case "version.transition_approved":
      return `${who} approved ${whose} request to move ${version} to ${to}`;
    case "version.transition_rejected":
      return `${who} rejected ${whose} request to move ${version} to ${to}`;
    case "version.transition_cancelled":
      return `${who} cancelled the request to move ${version} to ${to}`;
    case "model.alias_set": {
      const previous = str(p.from_version);
      return previous && previous !== version
        ? `${who} moved alias ${alias} from ${previous} to ${version}`
        : `${who} pointed alias ${alias} at ${version}`;
    }
    case "model.alias_deleted":
      return `${who} removed alias ${alias} from ${version}`;
    case "version.comment_added":
      return `${who} commented on ${version}`;
    case "version.comment_edited":
      return `${who} edited a comment on ${version}`;
    case "version.comment_deleted":
      return `${who} deleted a comment on ${version}`;
    case "version.deployment_started": {
      const following = followingPhrase(str(p.reference) ?? "");
      const canary = str(p.role) && p.role !== "primary" ? `, canary for @${str(p.role)}` : "";
      const how = following || canary ? ` (${following ?? ""}${following ? canary : canary.slice(2)})` : "";
      return `${who} started serving ${version} at ${str(p.endpoint) ?? "an endpoint"}${how}`;
    }
    case "version.deployment_stopped":
      return `${who} stopped serving ${version} at ${str(p.endpoint) ?? "an endpoint"}`;
    case "version.created":
      return `${who} created version ${version}`;
    case "version.updated":
      return `${who} updated version ${version}`;
    case "version.deleted":
      return `${who} deleted version ${version}`;
    case "version.tags_set":
      return `${who} set tags on ${version}`;
    case "version.tags_deleted":
      return `${who} removed tags from ${version}`;
    case "version.file_uploaded":
      return `${who} uploaded ${str(p.path) ?? "a file"} to ${version}`;
    case "version.files_deleted":
      return `${who} deleted files from ${version}`;
    case "model.created":
      return model ? `${who} created the model ${model}` : `${who} created the model`;
    case "model.updated":
      return `${who} updated the model`;
    case "model.deleted":
      return `${who} deleted the model`;
    case "model.tags_set":
      return `${who} set tags on the model`;
    case "model.tags_deleted":
      return `${who} removed tags from the model`;
    case "webhook.created":
      return `${who} added a webhook to ${str(p.url) ?? "a receiver"}`;
    case "webhook.updated":
      return `${who} changed the webhook to ${str(p.url) ?? "a receiver"}`;
    case "webhook.deleted":
      return `${who} deleted the webhook to ${str(p.url) ?? "a receiver"}`;
    case "webhook.disabled":
      return `the webhook to ${str(p.url) ?? "a receiver"} was disabled: ${str(p.reason) ?? "its deliveries kept failing"}`;
    default:
      return `${who}: ${event.type}`;
  }
}

/** Events newest first, without duplicates (a page fetched after new events arrived may repeat some). */
export function mergeEvents<T extends { id: string; createdAt: string }>(...lists: readonly (readonly T[])[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists) {
    for (const e of list) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out.push(e);
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
