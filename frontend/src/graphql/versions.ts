import { graphql } from "../gql";

export const CreateVersionMutation = graphql(`
  mutation CreateVersion($input: CreateVersionInput!) {
    createVersion(input: $input) {
      modelVersion { id version }
      errors { ...UserErrorFields }
    }
  }
`);

export const VersionQuery = graphql(`
  query Version($path: String!, $name: String!, $version: String!) {
    project(path: $path) {
      id
      path
      name
      model(name: $name) {
        id
        name
        latestVersion { id version }
        version(version: $version) {
          id
          version
          number
          isPrerelease
          description
          createdBy
          createdAt
          updatedAt
          stage
          tags { key value }
          viewerPermissions { ability allowed reason }
          aliases
          source
          runId
          loggedModelId
          lineage { ciJobId ciJobUrl pipeline mergeRequest commit }
          run {
            runId
            name
            status
            experimentName
            startTime
            endTime
            user
            artifactUri
            params { key value }
            metrics { key value step timestamp }
          }
        }
      }
    }
  }
`);

export const MetricHistoryQuery = graphql(`
  query MetricHistory($path: String!, $name: String!, $version: String!, $key: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          run {
            runId
            metricHistory(key: $key) { value step timestamp }
          }
        }
      }
    }
  }
`);

export const UpdateVersionMutation = graphql(`
  mutation UpdateVersion($input: UpdateVersionInput!) {
    updateVersion(input: $input) {
      modelVersion { id description updatedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteVersionMutation = graphql(`
  mutation DeleteVersion($input: DeleteVersionInput!) {
    deleteVersion(input: $input) {
      deletedId
      errors { ...UserErrorFields }
    }
  }
`);

export const SetVersionTagsMutation = graphql(`
  mutation SetVersionTags($input: SetVersionTagsInput!) {
    setVersionTags(input: $input) {
      modelVersion { id tags { key value } }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteVersionTagsMutation = graphql(`
  mutation DeleteVersionTags($input: DeleteVersionTagsInput!) {
    deleteVersionTags(input: $input) {
      modelVersion { id tags { key value } }
      errors { ...UserErrorFields }
    }
  }
`);

export const VersionFilesQuery = graphql(`
  query VersionFiles($path: String!, $name: String!, $version: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          fileCount
          totalSize
          filesZipUrl
          files { path size sha256 contentType createdBy createdAt downloadUrl }
        }
      }
    }
  }
`);

export const DeleteFilesMutation = graphql(`
  mutation DeleteFiles($input: DeleteFilesInput!) {
    deleteFiles(input: $input) {
      deletedPaths
      modelVersion { id fileCount totalSize }
      errors { ...UserErrorFields }
    }
  }
`);

/** What the version's MLmodel and dependency files say, and whether its number fits the changes. */
export const VersionMetadataQuery = graphql(`
  query VersionMetadata($path: String!, $name: String!, $version: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          signature {
            inputs { name type shape optional }
            outputs { name type shape optional }
            params { name type default shape }
          }
          dependencies {
            root
            mlmodelPath
            flavors
            pythonVersion
            mlflowVersion
            runtime { key value }
            condaChannels
            packages { name requirement specifier version pinned sources }
            files
            warnings { code file message }
          }
          metadataWarnings { code file message }
          compatibility { ...CompatibilityFields }
        }
      }
    }
  }
`);
