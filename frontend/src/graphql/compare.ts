import { graphql } from "../gql";

/** Versions side by side (`compareVersions`): each section's rows carry one value per version. */
export const CompareVersionsQuery = graphql(`
  query CompareVersions($model: ID!, $versions: [String!]!) {
    compareVersions(model: $model, versions: $versions) {
      versions {
        id
        version
        number
        isPrerelease
        stage
        createdAt
        runId
        compatibility { verdict declaredBump requiredBump previousVersion warning }
      }
      params { key values status differs }
      metrics {
        key
        latest
        present
        status
        differs
        history { version points { value step timestamp } }
      }
      signature {
        section
        name
        status
        differs
        columns { name type shape optional }
      }
      dependencies { name specifiers versions status differs }
      files { path status differs files { sha256 size } }
    }
  }
`);
