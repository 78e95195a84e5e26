import { graphql } from "../gql";

export const CreateModelMutation = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      model { id name }
      errors { ...UserErrorFields }
    }
  }
`);

export const ModelQuery = graphql(`
  query Model($path: String!, $name: String!) {
    project(path: $path) {
      id
      path
      name
      viewerPermissions { ability allowed reason }
      model(name: $name) {
        id
        name
        description
        createdBy
        createdAt
        updatedAt
        versionCount
        latestVersion { id version }
        stageVersions { id version stage }
        aliases { alias version { id version } }
        tags { key value }
        major: suggestedNextVersion(bump: MAJOR)
        minor: suggestedNextVersion(bump: MINOR)
        patch: suggestedNextVersion(bump: PATCH)
      }
    }
  }
`);

export const ModelVersionsQuery = graphql(`
  query ModelVersions($path: String!, $name: String!, $first: Int, $after: String) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        versions(first: $first, after: $after) {
          totalCount
          edges {
            node { id version number isPrerelease stage aliases createdAt createdBy tags { key value } }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

export const UpdateModelMutation = graphql(`
  mutation UpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model { id name description updatedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteModelMutation = graphql(`
  mutation DeleteModel($input: DeleteModelInput!) {
    deleteModel(input: $input) {
      deletedId
      errors { ...UserErrorFields }
    }
  }
`);

export const SetModelTagsMutation = graphql(`
  mutation SetModelTags($input: SetModelTagsInput!) {
    setModelTags(input: $input) {
      model { id tags { key value } }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteModelTagsMutation = graphql(`
  mutation DeleteModelTags($input: DeleteModelTagsInput!) {
    deleteModelTags(input: $input) {
      model { id tags { key value } }
      errors { ...UserErrorFields }
    }
  }
`);

export const CompatibilityFragment = graphql(`
  fragment CompatibilityFields on Compatibility {
    version
    previousVersion
    declaredBump
    requiredBump
    verdict
    reasons { kind column bump message }
    suggestedVersion
    guard
    warning
    isPrerelease
  }
`);

/** The create form's check of a version number against an attached MLmodel, before the version exists. */
export const CheckVersionQuery = graphql(`
  query CheckVersion($path: String!, $name: String!, $version: String, $mlmodel: String) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        checkVersion(version: $version, mlmodel: $mlmodel) { ...CompatibilityFields }
      }
    }
  }
`);
