import { graphql } from "../gql";

export const WebhookFields = graphql(`
  fragment WebhookFields on Webhook {
    id
    url
    description
    events
    status
    secretHint
    previousSecretValidUntil
    consecutiveFailures
    disabledReason
    modelFilter
    model { id name }
    createdBy
    createdAt
    lastDelivery { id status topic lastStatusCode createdAt }
  }
`);

export const ProjectWebhooksQuery = graphql(`
  query ProjectWebhooks($path: String!) {
    webhookTopics
    project(path: $path) {
      id
      path
      models(first: 100) { edges { node { id name } } }
      webhooks { ...WebhookFields }
    }
  }
`);

export const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($id: ID!, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
    node(id: $id) {
      ... on Webhook {
        id
        deliveries(status: $status, first: $first, after: $after) {
          edges {
            node {
              id
              eventId
              topic
              messageId
              status
              attemptCount
              nextAttemptAt
              lastStatusCode
              lastError
              requestedBy
              body
              createdAt
              finishedAt
              attempts { attempt startedAt durationMs statusCode error responseExcerpt }
            }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      webhook { ...WebhookFields }
      secret
      errors { ...UserErrorFields }
    }
  }
`);

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      webhook { ...WebhookFields }
      errors { ...UserErrorFields }
    }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($input: WebhookIdInput!) {
    deleteWebhook(input: $input) {
      deletedId
      errors { ...UserErrorFields }
    }
  }
`);

export const RotateWebhookSecretMutation = graphql(`
  mutation RotateWebhookSecret($input: RotateWebhookSecretInput!) {
    rotateWebhookSecret(input: $input) {
      webhook { ...WebhookFields }
      secret
      errors { ...UserErrorFields }
    }
  }
`);

export const SendTestWebhookMutation = graphql(`
  mutation SendTestWebhook($input: WebhookIdInput!) {
    sendTestWebhook(input: $input) {
      delivery { id status topic }
      errors { ...UserErrorFields }
    }
  }
`);

export const RedeliverWebhookDeliveryMutation = graphql(`
  mutation RedeliverWebhookDelivery($input: RedeliverWebhookDeliveryInput!) {
    redeliverWebhookDelivery(input: $input) {
      delivery { id status topic eventId }
      errors { ...UserErrorFields }
    }
  }
`);

export const ReplayEventsMutation = graphql(`
  mutation ReplayEvents($input: ReplayEventsInput!) {
    replayEvents(input: $input) {
      count
      lastEventId
      complete
      errors { ...UserErrorFields }
    }
  }
`);
