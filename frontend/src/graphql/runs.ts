import { graphql } from "../gql";

// Experiments and runs of a project: their pages, and the links the MLflow client prints.

export const ExperimentsQuery = graphql(`
  query Experiments($path: String!, $first: Int, $after: String) {
    project(path: $path) {
      id
      path
      name
      experiments(first: $first, after: $after) {
        totalCount
        edges {
          node { experimentId name createdBy createdAt runCount lastRunStartTime }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const ExperimentQuery = graphql(`
  query Experiment($path: String!, $id: String!, $first: Int, $after: String) {
    project(path: $path) {
      id
      path
      name
      experiment(id: $id) {
        experimentId
        name
        createdBy
        createdAt
        runCount
        tags { key value }
        runs(first: $first, after: $after) {
          totalCount
          edges {
            node {
              runId
              name
              status
              user
              startTime
              endTime
              metrics { key value step }
            }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

export const RunQuery = graphql(`
  query RunPage($path: String!, $runId: String!) {
    project(path: $path) {
      id
      path
      name
      run(runId: $runId) {
        runId
        name
        status
        user
        startTime
        endTime
        experimentName
        artifactUri
        experiment { experimentId name }
        params { key value }
        metrics { key value step timestamp }
        tags { key value }
        artifacts { files { path size } truncated }
        modelVersions { id version number stage model { id name project { id path } } }
      }
    }
  }
`);

export const RunMetricHistoryQuery = graphql(`
  query RunMetricHistory($path: String!, $runId: String!, $key: String!) {
    project(path: $path) {
      id
      run(runId: $runId) {
        runId
        metricHistory(key: $key) { value step timestamp }
      }
    }
  }
`);

/** The SemVer string of a model's version by MLflow number (`#/models/<name>/versions/<n>`). */
export const VersionByNumberQuery = graphql(`
  query VersionByNumber($path: String!, $name: String!, $alias: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        versionByAlias(alias: $alias) { id version }
      }
    }
  }
`);
