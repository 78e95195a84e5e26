import type { WebhookDeliveryStatus, WebhookStatus } from "../gql/graphql";

/** What the web app shows of webhooks, kept pure so it is tested without a browser. */

export const WEBHOOK_STATUSES: { value: WebhookStatus; label: string; summary: string }[] = [
  { value: "ACTIVE", label: "Active", summary: "Receives every matching event." },
  { value: "TEST_MODE", label: "Test mode", summary: "Receives only test events you send." },
  { value: "DISABLED", label: "Disabled", summary: "Receives nothing." },
];

export function webhookStatusColor(status: WebhookStatus): string {
  return status === "ACTIVE" ? "green" : status === "TEST_MODE" ? "yellow" : "gray";
}

export function webhookStatusLabel(status: WebhookStatus): string {
  return WEBHOOK_STATUSES.find((s) => s.value === status)?.label ?? status;
}

export function deliveryStatusColor(status: WebhookDeliveryStatus): string {
  return status === "DELIVERED" ? "green" : status === "FAILED" ? "red" : "blue";
}

/** An http:// URL works, but the events (and their signatures) travel in the clear. */
export function isInsecureUrl(url: string): boolean {
  return /^\s*http:\/\//i.test(url);
}

/** A user or password in the URL: refused by the server (the signature authenticates). */
export function hasCredentials(url: string): boolean {
  const match = /^\s*https?:\/\/([^/?#]*)@/i.exec(url);
  return match !== null;
}

export interface DeliveryLike {
  status: WebhookDeliveryStatus;
  lastStatusCode?: number | null;
}

/** The outcome of a delivery in a few words: "Delivered (200)", "Failed (500)", "Pending". */
export function deliveryOutcome(delivery: DeliveryLike | null | undefined): string {
  if (!delivery) return "No deliveries yet";
  const label = delivery.status === "DELIVERED" ? "Delivered" : delivery.status === "FAILED" ? "Failed" : "Pending";
  return delivery.lastStatusCode != null ? `${label} (${delivery.lastStatusCode})` : label;
}

/**
 * The event types a pattern list covers, for the form: patterns the user typed are kept as they
 * are (wildcards such as `version.*` included); `*` alone means every event.
 */
export function coveredTopics(patterns: readonly string[], topics: readonly string[]): string[] {
  return topics.filter((topic) =>
    patterns.some((p) => (p.endsWith("*") ? topic.startsWith(p.slice(0, -1)) : p === topic)),
  );
}

/** A pattern that covers no topic (a typo) — the server refuses it too; the form says so early. */
export function unknownPatterns(patterns: readonly string[], topics: readonly string[]): string[] {
  return patterns.filter((p) => coveredTopics([p.trim().toLowerCase()], topics).length === 0);
}

/** Suggestions for the event picker: every topic, and a wildcard per prefix (`version.*`). */
export function topicSuggestions(topics: readonly string[]): string[] {
  const prefixes = new Set<string>();
  for (const topic of topics) {
    const dot = topic.indexOf(".");
    if (dot > 0) prefixes.add(`${topic.slice(0, dot)}.*`);
  }
  prefixes.add("version.stage_changed.*");
  return ["*", ...[...prefixes].sort(), ...topics];
}

/** Parses the "replay from event id" box: a positive whole number, else null. */
export function parseEventId(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 && Number.isSafeInteger(value) ? value : null;
}

/** A delivery body, pretty-printed when it is JSON. */
export function prettyBody(body: string | null | undefined): string {
  if (!body) return "";
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
