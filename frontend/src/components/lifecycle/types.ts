/** The shape of one version's lifecycle as the lifecycle section's query returns it. */
import type { VersionLifecycleQuery as VersionLifecycleData } from "../../gql/graphql";

export type LifecycleVersion = NonNullable<NonNullable<NonNullable<VersionLifecycleData["project"]>["model"]>["version"]>;
export type PendingRequest = LifecycleVersion["transitionRequests"][number];
