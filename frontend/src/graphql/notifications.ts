import { graphql } from "../gql";

/** The viewer's address and default e-mail level (the account page's Notifications tab). */
export const NotificationSettingsQuery = graphql(`
  query NotificationSettings {
    viewer {
      user { id }
      email
      notificationLevel
    }
  }
`);

export const SetEmailMutation = graphql(`
  mutation SetEmail($input: SetEmailInput!) {
    setEmail(input: $input) {
      email
      notificationLevel
      errors { ...UserErrorFields }
    }
  }
`);

export const UpdateNotificationSettingsMutation = graphql(`
  mutation UpdateNotificationSettings($input: UpdateNotificationSettingsInput!) {
    updateNotificationSettings(input: $input) {
      email
      notificationLevel
      errors { ...UserErrorFields }
    }
  }
`);

/** The viewer's level for one model, and their default (to name it). */
export const ModelNotificationLevelQuery = graphql(`
  query ModelNotificationLevel($id: ID!) {
    viewer { notificationLevel }
    node(id: $id) {
      ... on RegisteredModel { id viewerNotificationLevel { level explicit } }
    }
  }
`);

export const SetModelNotificationLevelMutation = graphql(`
  mutation SetModelNotificationLevel($input: SetModelNotificationLevelInput!) {
    setModelNotificationLevel(input: $input) {
      model { id viewerNotificationLevel { level explicit } }
      errors { ...UserErrorFields }
    }
  }
`);

export const VersionFollowingQuery = graphql(`
  query VersionFollowing($id: ID!) {
    node(id: $id) {
      ... on ModelVersion { id viewerFollowing }
    }
  }
`);

export const FollowVersionMutation = graphql(`
  mutation FollowVersion($input: FollowVersionInput!) {
    followVersion(input: $input) {
      modelVersion { id viewerFollowing }
      errors { ...UserErrorFields }
    }
  }
`);

export const UnfollowVersionMutation = graphql(`
  mutation UnfollowVersion($input: FollowVersionInput!) {
    unfollowVersion(input: $input) {
      modelVersion { id viewerFollowing }
      errors { ...UserErrorFields }
    }
  }
`);
