import { graphql } from "../gql";

/**
 * The event streams that keep pages live. Each declares `$after`: the client resumes a stream
 * after the last event it received when the websocket reconnects (see `lib/resumable.ts`).
 */
export const LiveModelEventsSubscription = graphql(`
  subscription LiveModelEvents($projectPath: String!, $modelName: String!, $after: ID) {
    modelEvents(projectPath: $projectPath, modelName: $modelName, after: $after) {
      id
      type
    }
  }
`);

export const LiveProjectEventsSubscription = graphql(`
  subscription LiveProjectEvents($projectPath: String!, $after: ID) {
    projectEvents(projectPath: $projectPath, after: $after) {
      id
      type
    }
  }
`);
