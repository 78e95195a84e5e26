import { graphql } from "../gql";

export const ProjectsQuery = graphql(`
  query Projects($search: String, $first: Int, $after: String) {
    projects(search: $search, first: $first, after: $after) {
      totalCount
      edges {
        node { id path name description visibility updatedAt }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      project { id path }
      errors { code field message }
    }
  }
`);

export const ProjectModelsQuery = graphql(`
  query ProjectModels(
    $path: String!
    $search: String
    $tags: [TagFilterInput!]
    $orderBy: ModelOrder
    $first: Int
    $after: String
  ) {
    project(path: $path) {
      id
      path
      name
      description
      visibility
      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after) {
        totalCount
        edges {
          node {
            id
            name
            updatedAt
            versionCount
            latestVersion { id version }
            tags { key value }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const UpdateProjectMutation = graphql(`
  mutation UpdateProject($input: UpdateProjectInput!) {
    updateProject(input: $input) {
      project { id path name description visibility updatedAt }
      errors { code field message }
    }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($input: DeleteProjectInput!) {
    deleteProject(input: $input) {
      deletedId
      errors { code field message }
    }
  }
`);
