import type { Role, Visibility } from "../gql/graphql";

/** Project roles, lowest first; each has what the ones before it have. Mirrors the server's policy. */
export const ROLES: readonly { value: Role; label: string; summary: string }[] = [
  { value: "GUEST", label: "Guest", summary: "Reads the project: models, versions, files and activity." },
  {
    value: "REPORTER",
    label: "Reporter",
    summary:
      "Also creates and edits models and versions (in None or Archived), uploads files, comments and requests stage transitions.",
  },
  {
    value: "DEVELOPER",
    label: "Developer",
    summary: "Also moves versions in and out of Staging, approves such requests, edits versions in Staging and manages aliases.",
  },
  {
    value: "MAINTAINER",
    label: "Maintainer",
    summary: "Also Production: moves versions there, approves such requests and edits versions in Production.",
  },
  { value: "OWNER", label: "Owner", summary: "Also manages members and the project: visibility, path, deletion." },
];

export function roleLabel(role: Role | null | undefined): string {
  return ROLES.find((r) => r.value === role)?.label ?? "Not a member";
}

export const VISIBILITIES: readonly { value: Visibility; label: string; summary: string }[] = [
  { value: "PRIVATE", label: "Private", summary: "Only members see the project. Others are told it does not exist." },
  {
    value: "INTERNAL",
    label: "Internal",
    summary: "Anyone signed in to this registry can see it and download its files; only members change it.",
  },
  {
    value: "PUBLIC",
    label: "Public",
    summary: "Anyone, even without signing in, can see it and download its files; only members change it.",
  },
];

export function visibilityLabel(visibility: Visibility): string {
  return VISIBILITIES.find((v) => v.value === visibility)?.label ?? visibility;
}

/** Members sorted for display: highest role first, then by username. */
export function sortMembers<T extends { role: Role; user: { username: string } }>(members: readonly T[]): T[] {
  const rank = (role: Role) => ROLES.findIndex((r) => r.value === role);
  return [...members].sort((a, b) => rank(b.role) - rank(a.role) || a.user.username.localeCompare(b.user.username));
}
