/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      model { id name }\n      errors { code field message }\n    }\n  }\n": typeof types.CreateModelDocument,
    "\n  query Model($path: String!, $name: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        description\n        createdBy\n        createdAt\n        updatedAt\n        versionCount\n        latestVersion { id version }\n        tags { key value }\n        major: suggestedNextVersion(bump: MAJOR)\n        minor: suggestedNextVersion(bump: MINOR)\n        patch: suggestedNextVersion(bump: PATCH)\n      }\n    }\n  }\n": typeof types.ModelDocument,
    "\n  query ModelVersions($path: String!, $name: String!, $first: Int, $after: String) {\n    project(path: $path) {\n      id\n      model(name: $name) {\n        id\n        versions(first: $first, after: $after) {\n          totalCount\n          edges {\n            node { id version number isPrerelease createdAt createdBy tags { key value } }\n          }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": typeof types.ModelVersionsDocument,
    "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      model { id name description updatedAt }\n      errors { code field message }\n    }\n  }\n": typeof types.UpdateModelDocument,
    "\n  mutation DeleteModel($input: DeleteModelInput!) {\n    deleteModel(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n": typeof types.DeleteModelDocument,
    "\n  mutation SetModelTags($input: SetModelTagsInput!) {\n    setModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": typeof types.SetModelTagsDocument,
    "\n  mutation DeleteModelTags($input: DeleteModelTagsInput!) {\n    deleteModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": typeof types.DeleteModelTagsDocument,
    "\n  query Projects($search: String, $first: Int, $after: String) {\n    projects(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node { id path name description visibility updatedAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { id path }\n      errors { code field message }\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  query ProjectModels(\n    $path: String!\n    $search: String\n    $tags: [TagFilterInput!]\n    $orderBy: ModelOrder\n    $first: Int\n    $after: String\n  ) {\n    project(path: $path) {\n      id\n      path\n      name\n      description\n      visibility\n      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            updatedAt\n            versionCount\n            latestVersion { id version }\n            tags { key value }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.ProjectModelsDocument,
    "\n  mutation CreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      modelVersion { id version }\n      errors { code field message }\n    }\n  }\n": typeof types.CreateVersionDocument,
    "\n  query Version($path: String!, $name: String!, $version: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        latestVersion { id version }\n        version(version: $version) {\n          id\n          version\n          number\n          isPrerelease\n          description\n          createdBy\n          createdAt\n          updatedAt\n          tags { key value }\n        }\n      }\n    }\n  }\n": typeof types.VersionDocument,
    "\n  mutation UpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      modelVersion { id description updatedAt }\n      errors { code field message }\n    }\n  }\n": typeof types.UpdateVersionDocument,
    "\n  mutation DeleteVersion($input: DeleteVersionInput!) {\n    deleteVersion(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n": typeof types.DeleteVersionDocument,
    "\n  mutation SetVersionTags($input: SetVersionTagsInput!) {\n    setVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": typeof types.SetVersionTagsDocument,
    "\n  mutation DeleteVersionTags($input: DeleteVersionTagsInput!) {\n    deleteVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": typeof types.DeleteVersionTagsDocument,
};
const documents: Documents = {
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      model { id name }\n      errors { code field message }\n    }\n  }\n": types.CreateModelDocument,
    "\n  query Model($path: String!, $name: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        description\n        createdBy\n        createdAt\n        updatedAt\n        versionCount\n        latestVersion { id version }\n        tags { key value }\n        major: suggestedNextVersion(bump: MAJOR)\n        minor: suggestedNextVersion(bump: MINOR)\n        patch: suggestedNextVersion(bump: PATCH)\n      }\n    }\n  }\n": types.ModelDocument,
    "\n  query ModelVersions($path: String!, $name: String!, $first: Int, $after: String) {\n    project(path: $path) {\n      id\n      model(name: $name) {\n        id\n        versions(first: $first, after: $after) {\n          totalCount\n          edges {\n            node { id version number isPrerelease createdAt createdBy tags { key value } }\n          }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": types.ModelVersionsDocument,
    "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      model { id name description updatedAt }\n      errors { code field message }\n    }\n  }\n": types.UpdateModelDocument,
    "\n  mutation DeleteModel($input: DeleteModelInput!) {\n    deleteModel(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n": types.DeleteModelDocument,
    "\n  mutation SetModelTags($input: SetModelTagsInput!) {\n    setModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": types.SetModelTagsDocument,
    "\n  mutation DeleteModelTags($input: DeleteModelTagsInput!) {\n    deleteModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": types.DeleteModelTagsDocument,
    "\n  query Projects($search: String, $first: Int, $after: String) {\n    projects(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node { id path name description visibility updatedAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { id path }\n      errors { code field message }\n    }\n  }\n": types.CreateProjectDocument,
    "\n  query ProjectModels(\n    $path: String!\n    $search: String\n    $tags: [TagFilterInput!]\n    $orderBy: ModelOrder\n    $first: Int\n    $after: String\n  ) {\n    project(path: $path) {\n      id\n      path\n      name\n      description\n      visibility\n      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            updatedAt\n            versionCount\n            latestVersion { id version }\n            tags { key value }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.ProjectModelsDocument,
    "\n  mutation CreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      modelVersion { id version }\n      errors { code field message }\n    }\n  }\n": types.CreateVersionDocument,
    "\n  query Version($path: String!, $name: String!, $version: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        latestVersion { id version }\n        version(version: $version) {\n          id\n          version\n          number\n          isPrerelease\n          description\n          createdBy\n          createdAt\n          updatedAt\n          tags { key value }\n        }\n      }\n    }\n  }\n": types.VersionDocument,
    "\n  mutation UpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      modelVersion { id description updatedAt }\n      errors { code field message }\n    }\n  }\n": types.UpdateVersionDocument,
    "\n  mutation DeleteVersion($input: DeleteVersionInput!) {\n    deleteVersion(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n": types.DeleteVersionDocument,
    "\n  mutation SetVersionTags($input: SetVersionTagsInput!) {\n    setVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": types.SetVersionTagsDocument,
    "\n  mutation DeleteVersionTags($input: DeleteVersionTagsInput!) {\n    deleteVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n": types.DeleteVersionTagsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      model { id name }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      model { id name }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Model($path: String!, $name: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        description\n        createdBy\n        createdAt\n        updatedAt\n        versionCount\n        latestVersion { id version }\n        tags { key value }\n        major: suggestedNextVersion(bump: MAJOR)\n        minor: suggestedNextVersion(bump: MINOR)\n        patch: suggestedNextVersion(bump: PATCH)\n      }\n    }\n  }\n"): (typeof documents)["\n  query Model($path: String!, $name: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        description\n        createdBy\n        createdAt\n        updatedAt\n        versionCount\n        latestVersion { id version }\n        tags { key value }\n        major: suggestedNextVersion(bump: MAJOR)\n        minor: suggestedNextVersion(bump: MINOR)\n        patch: suggestedNextVersion(bump: PATCH)\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelVersions($path: String!, $name: String!, $first: Int, $after: String) {\n    project(path: $path) {\n      id\n      model(name: $name) {\n        id\n        versions(first: $first, after: $after) {\n          totalCount\n          edges {\n            node { id version number isPrerelease createdAt createdBy tags { key value } }\n          }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ModelVersions($path: String!, $name: String!, $first: Int, $after: String) {\n    project(path: $path) {\n      id\n      model(name: $name) {\n        id\n        versions(first: $first, after: $after) {\n          totalCount\n          edges {\n            node { id version number isPrerelease createdAt createdBy tags { key value } }\n          }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      model { id name description updatedAt }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      model { id name description updatedAt }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteModel($input: DeleteModelInput!) {\n    deleteModel(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteModel($input: DeleteModelInput!) {\n    deleteModel(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetModelTags($input: SetModelTagsInput!) {\n    setModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation SetModelTags($input: SetModelTagsInput!) {\n    setModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteModelTags($input: DeleteModelTagsInput!) {\n    deleteModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteModelTags($input: DeleteModelTagsInput!) {\n    deleteModelTags(input: $input) {\n      model { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects($search: String, $first: Int, $after: String) {\n    projects(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node { id path name description visibility updatedAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Projects($search: String, $first: Int, $after: String) {\n    projects(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node { id path name description visibility updatedAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { id path }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { id path }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectModels(\n    $path: String!\n    $search: String\n    $tags: [TagFilterInput!]\n    $orderBy: ModelOrder\n    $first: Int\n    $after: String\n  ) {\n    project(path: $path) {\n      id\n      path\n      name\n      description\n      visibility\n      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            updatedAt\n            versionCount\n            latestVersion { id version }\n            tags { key value }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectModels(\n    $path: String!\n    $search: String\n    $tags: [TagFilterInput!]\n    $orderBy: ModelOrder\n    $first: Int\n    $after: String\n  ) {\n    project(path: $path) {\n      id\n      path\n      name\n      description\n      visibility\n      models(search: $search, tags: $tags, orderBy: $orderBy, first: $first, after: $after) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            updatedAt\n            versionCount\n            latestVersion { id version }\n            tags { key value }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      modelVersion { id version }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateVersion($input: CreateVersionInput!) {\n    createVersion(input: $input) {\n      modelVersion { id version }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Version($path: String!, $name: String!, $version: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        latestVersion { id version }\n        version(version: $version) {\n          id\n          version\n          number\n          isPrerelease\n          description\n          createdBy\n          createdAt\n          updatedAt\n          tags { key value }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Version($path: String!, $name: String!, $version: String!) {\n    project(path: $path) {\n      id\n      path\n      name\n      model(name: $name) {\n        id\n        name\n        latestVersion { id version }\n        version(version: $version) {\n          id\n          version\n          number\n          isPrerelease\n          description\n          createdBy\n          createdAt\n          updatedAt\n          tags { key value }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      modelVersion { id description updatedAt }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateVersion($input: UpdateVersionInput!) {\n    updateVersion(input: $input) {\n      modelVersion { id description updatedAt }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteVersion($input: DeleteVersionInput!) {\n    deleteVersion(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteVersion($input: DeleteVersionInput!) {\n    deleteVersion(input: $input) {\n      deletedId\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetVersionTags($input: SetVersionTagsInput!) {\n    setVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation SetVersionTags($input: SetVersionTagsInput!) {\n    setVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteVersionTags($input: DeleteVersionTagsInput!) {\n    deleteVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteVersionTags($input: DeleteVersionTagsInput!) {\n    deleteVersionTags(input: $input) {\n      modelVersion { id tags { key value } }\n      errors { code field message }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;