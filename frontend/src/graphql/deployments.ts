import { graphql } from "../gql";

/** The version page's Serve section: what to serve it by, and who serves it where. */
export const VersionDeploymentsQuery = graphql(`
  query VersionDeployments($path: String!, $name: String!, $version: String!) {
    deploymentRecordsEnabled
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          active: deployments(active: true, first: 50) {
            edges { node { ...DeploymentFields } }
            pageInfo { hasNextPage }
          }
          stopped: deployments(active: false, first: 10) {
            edges { node { ...DeploymentFields } }
            pageInfo { hasNextPage }
          }
        }
      }
    }
  }

  fragment DeploymentFields on Deployment {
    id
    state
    endpoint
    reference
    role
    startedBy
    startedAt
    stoppedBy
    stoppedAt
  }
`);
