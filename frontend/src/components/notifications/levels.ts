import type { NotificationLevel } from "../../gql/graphql";

/** The e-mail levels as the web app names them, most mail first. */
export const LEVELS: readonly { value: NotificationLevel; label: string; description: string }[] = [
  { value: "ALL", label: "Follow all", description: "Every new version, request, transition, decision and comment" },
  {
    value: "PARTICIPATING",
    label: "Participating",
    description: "Only versions you created, requested, commented on or follow",
  },
  { value: "MUTED", label: "Muted", description: "No mail" },
];

export function levelLabel(level: NotificationLevel | null | undefined): string {
  return LEVELS.find((l) => l.value === level)?.label ?? "Participating";
}
