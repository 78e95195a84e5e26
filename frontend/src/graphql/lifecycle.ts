import { graphql } from "../gql";

/** Everything the version page's lifecycle section shows; polled while the page is visible. */
export const VersionLifecycleQuery = graphql(`
  query VersionLifecycle($path: String!, $name: String!, $version: String!) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          version
          stage
          aliases
          viewerPermissions { ability allowed reason }
          compatibility { verdict declaredBump requiredBump previousVersion warning guard isPrerelease }
          transitionTargets {
            stage
            transition { allowed reason requiredRole }
            request { allowed reason requiredRole }
          }
          transitionRequests(status: PENDING) {
            id
            targetStage
            requester
            comment
            status
            archiveExisting
            createdAt
            availableActions
          }
          comments { id author body edited createdAt updatedAt viewerCanChange }
        }
      }
    }
  }
`);

export const VersionActivityQuery = graphql(`
  query VersionActivity($path: String!, $name: String!, $version: String!, $first: Int, $after: String) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        version(version: $version) {
          id
          activity(first: $first, after: $after) {
            edges { cursor node { id type actor createdAt payload } }
            pageInfo { hasNextPage endCursor }
          }
        }
      }
    }
  }
`);

export const ModelActivityQuery = graphql(`
  query ModelActivity($path: String!, $name: String!, $first: Int, $after: String) {
    project(path: $path) {
      id
      model(name: $name) {
        id
        activity(first: $first, after: $after) {
          edges { cursor node { id type actor createdAt payload } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

export const TransitionStageMutation = graphql(`
  mutation TransitionStage($input: TransitionStageInput!) {
    transitionStage(input: $input) {
      modelVersion { id stage }
      errors { ...UserErrorFields }
    }
  }
`);

export const RequestTransitionMutation = graphql(`
  mutation RequestTransition($input: RequestTransitionInput!) {
    requestTransition(input: $input) {
      transitionRequest { id status }
      errors { ...UserErrorFields }
    }
  }
`);

export const ApproveTransitionRequestMutation = graphql(`
  mutation ApproveTransitionRequest($input: ApproveTransitionRequestInput!) {
    approveTransitionRequest(input: $input) {
      transitionRequest { id status }
      errors { ...UserErrorFields }
    }
  }
`);

export const RejectTransitionRequestMutation = graphql(`
  mutation RejectTransitionRequest($input: ResolveTransitionRequestInput!) {
    rejectTransitionRequest(input: $input) {
      transitionRequest { id status }
      errors { ...UserErrorFields }
    }
  }
`);

export const CancelTransitionRequestMutation = graphql(`
  mutation CancelTransitionRequest($input: ResolveTransitionRequestInput!) {
    cancelTransitionRequest(input: $input) {
      transitionRequest { id status }
      errors { ...UserErrorFields }
    }
  }
`);

export const SetAliasMutation = graphql(`
  mutation SetAlias($input: SetAliasInput!) {
    setAlias(input: $input) {
      modelAlias { alias }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteAliasMutation = graphql(`
  mutation DeleteAlias($input: DeleteAliasInput!) {
    deleteAlias(input: $input) {
      modelAlias { alias }
      errors { ...UserErrorFields }
    }
  }
`);

export const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      comment { id }
      errors { ...UserErrorFields }
    }
  }
`);

export const EditCommentMutation = graphql(`
  mutation EditComment($input: EditCommentInput!) {
    editComment(input: $input) {
      comment { id body edited updatedAt }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteCommentMutation = graphql(`
  mutation DeleteComment($input: DeleteCommentInput!) {
    deleteComment(input: $input) {
      deletedId
      errors { ...UserErrorFields }
    }
  }
`);
