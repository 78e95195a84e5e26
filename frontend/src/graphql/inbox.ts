import { graphql } from "../gql";

/** The fields the inbox and the model page show with each pending request. */
export const InboxRequestFields = graphql(`
  fragment InboxRequestFields on TransitionRequestType {
    id
    targetStage
    requester
    comment
    status
    archiveExisting
    createdAt
    availableActions
    version {
      id
      version
      stage
      model { id name project { id path name } }
    }
  }
`);

/** The inbox page: requests the viewer may approve, and their own. */
export const InboxQuery = graphql(`
  query Inbox($first: Int, $afterToApprove: String, $afterOwn: String) {
    inbox {
      toApprove(first: $first, after: $afterToApprove) {
        totalCount
        edges { node { ...InboxRequestFields } }
        pageInfo { hasNextPage endCursor }
      }
      ownRequests(first: $first, after: $afterOwn) {
        totalCount
        edges { node { ...InboxRequestFields } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

/** The header badge: how many requests wait on the viewer. */
export const InboxCountQuery = graphql(`
  query InboxCount {
    inboxCount
  }
`);

/** The pending requests of one model (the alert on the model page). */
export const ModelPendingRequestsQuery = graphql(`
  query ModelPendingRequests($path: String!, $name: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        pendingRequests { ...InboxRequestFields }
      }
    }
  }
`);
