import { graphql } from "../gql";

/** The export section of project settings: the models to choose from and the latest event. */
export const ProjectExportQuery = graphql(`
  query ProjectExport($path: String!) {
    project(path: $path) {
      id
      latestEventId
      models(first: 100, orderBy: { field: NAME, direction: ASC }) {
        totalCount
        edges { node { id name } }
      }
    }
  }
`);
