import { graphql } from "../gql";

/** Who is signed in; the header and every permission hint start from this. */
export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      user { id username displayName isAdmin }
      tokenScopes
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user { id username displayName isAdmin }
      errors { ...UserErrorFields }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout {
      signedOut
      errors { ...UserErrorFields }
    }
  }
`);

export const PersonalAccessTokensQuery = graphql(`
  query PersonalAccessTokens {
    viewer {
      user { id username }
      personalAccessTokens { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt active }
    }
  }
`);

export const CreatePersonalAccessTokenMutation = graphql(`
  mutation CreatePersonalAccessToken($input: CreatePersonalAccessTokenInput!) {
    createPersonalAccessToken(input: $input) {
      token { id name prefix scopes createdAt expiresAt lastUsedAt revokedAt active }
      secret
      errors { ...UserErrorFields }
    }
  }
`);

export const RevokePersonalAccessTokenMutation = graphql(`
  mutation RevokePersonalAccessToken($input: RevokePersonalAccessTokenInput!) {
    revokePersonalAccessToken(input: $input) {
      token { id revokedAt active }
      errors { ...UserErrorFields }
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      changed
      errors { ...UserErrorFields }
    }
  }
`);

/** Accounts whose username starts with `search`, for picking members. */
export const UsersQuery = graphql(`
  query Users($search: String!, $first: Int!) {
    users(search: $search, first: $first) { id username displayName }
  }
`);
