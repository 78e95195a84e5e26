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
      errors { ...UserErrorFields }
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
    $offset: Int
  ) {
    project(path: $path) {
      id
      path
      name
      description
      visibility
      viewerRole
      viewerPermissions { ability allowed reason }
      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {
        totalCount
        edges {
          node {
            id
            name
            updatedAt
            versionCount
            pendingRequestCount
            latestVersion { id version }
            stageVersions { id version stage }
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
      project { id path name description visibility semverGuard updatedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteProjectMutation = graphql(`
  mutation DeleteProject($input: DeleteProjectInput!) {
    deleteProject(input: $input) {
      deletedId
      errors { ...UserErrorFields }
    }
  }
`);

/** A project's settings and members, with what the viewer may change. */
export const ProjectSettingsQuery = graphql(`
  query ProjectSettings($path: String!) {
    project(path: $path) {
      id
      path
      name
      description
      visibility
      semverGuard
      viewerRole
      viewerPermissions { ability allowed reason }
      members {
        user { id username displayName }
        role
        addedBy
        addedAt
      }
    }
  }
`);

export const AddProjectMemberMutation = graphql(`
  mutation AddProjectMember($input: ProjectMemberInput!) {
    addProjectMember(input: $input) {
      member { user { id username displayName } role addedBy addedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const UpdateProjectMemberMutation = graphql(`
  mutation UpdateProjectMember($input: ProjectMemberInput!) {
    updateProjectMember(input: $input) {
      member { user { id username displayName } role addedBy addedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const RemoveProjectMemberMutation = graphql(`
  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {
    removeProjectMember(input: $input) {
      removedUsername
      errors { ...UserErrorFields }
    }
  }
`);
