import { Badge, Button, Code, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { useMutation, useQuery } from "urql";

import type { ProjectWebhooksQuery as WebhooksData } from "../../gql/graphql";
import {
  CreateWebhookMutation,
  DeleteWebhookMutation,
  ProjectWebhooksQuery,
  RotateWebhookSecretMutation,
  UpdateWebhookMutation,
} from "../../graphql/webhooks";
import type { Verdict } from "../../lib/permissions";
import { deliveryOutcome, deliveryStatusColor, isInsecureUrl, webhookStatusColor, webhookStatusLabel } from "../../lib/webhooks";
import { formatDate } from "../dates";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { NotAllowedNote } from "../Permitted";
import { EmptyState, Loading, QueryError } from "../States";
import { usePolling } from "../usePolling";
import { DeliveryLog } from "./DeliveryLog";
import { SecretReveal } from "./SecretReveal";
import { EMPTY_WEBHOOK, WebhookForm, type WebhookValues } from "./WebhookForm";

type Webhook = NonNullable<NonNullable<WebhooksData["project"]>["webhooks"]>[number];

interface Revealed {
  secret: string;
  rotated: boolean;
  previousValidUntil?: string | null;
}

/**
 * The project's webhooks (MAINTAINERs): each with its status, events, model and last delivery;
 * create and edit in a dialog, the secret shown once after create or rotate, delete after a
 * confirmation, and each webhook's delivery log.
 */
export function ProjectWebhooks({ path, verdict }: { path: string; verdict: Verdict }) {
  if (!verdict.allowed) {
    return (
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Text>Webhooks POST the project's events to other systems, such as a deployment pipeline.</Text>
          <NotAllowedNote verdict={verdict} />
        </Stack>
      </Paper>
    );
  }
  return <WebhookList path={path} />;
}

function WebhookList({ path }: { path: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProjectWebhooksQuery, variables: { path } });
  const [, create] = useMutation(CreateWebhookMutation);
  const [, update] = useMutation(UpdateWebhookMutation);
  const [, remove] = useMutation(DeleteWebhookMutation);
  const [, rotate] = useMutation(RotateWebhookSecretMutation);
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: "network-only" });
  usePolling(reload, 10_000); // each webhook's last delivery moves as the worker sends

  if (error) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const project = data?.project;
  if (!project) return null;
  const topics = data?.webhookTopics ?? [];
  const models = project.models.edges.map((e) => e.node);
  const hooks = project.webhooks ?? [];

  const saveNew = async (values: WebhookValues) => {
    const result = await create({ input: { projectId: project.id, ...values } });
    const errors = mutationErrors(result, (d) => d.createWebhook);
    const secret = result.data?.createWebhook.secret;
    if (errors.length === 0 && secret) {
      setRevealed({ secret, rotated: false });
      reload();
    }
    return errors;
  };
  const saveEdit = (hook: Webhook) => async (values: WebhookValues) => {
    const errors = mutationErrors(await update({ input: { id: hook.id, ...values } }), (d) => d.updateWebhook);
    if (errors.length === 0) {
      notifyDone("Webhook saved.");
      reload();
    }
    return errors;
  };
  const confirmDelete = (hook: Webhook) =>
    modals.openConfirmModal({
      title: "Delete this webhook?",
      children: (
        <Text size="sm">
          {hook.url} stops receiving events, and its delivery log is deleted. Pending deliveries are dropped.
        </Text>
      ),
      labels: { confirm: "Delete webhook", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(await remove({ input: { id: hook.id } }), (d) => d.deleteWebhook);
        if (errors.length) return notifyErrors(errors);
        notifyDone("Webhook deleted.");
        if (logOf === hook.id) setLogOf(null);
        reload();
      },
    });
  const confirmRotate = (hook: Webhook) =>
    modals.openConfirmModal({
      title: "Rotate the secret?",
      children: (
        <Text size="sm">
          A new secret signs deliveries from now on; the current one signs them too for 24 hours, so the
          receiver can switch without losing a delivery.
        </Text>
      ),
      labels: { confirm: "Rotate secret", cancel: "Cancel" },
      onConfirm: async () => {
        const result = await rotate({ input: { id: hook.id } });
        const errors = mutationErrors(result, (d) => d.rotateWebhookSecret);
        if (errors.length) return notifyErrors(errors);
        const payload = result.data?.rotateWebhookSecret;
        if (payload?.secret) {
          setRevealed({ secret: payload.secret, rotated: true, previousValidUntil: payload.webhook?.previousSecretValidUntil });
        }
        reload();
      },
    });

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>
          Webhooks POST the project's events as signed JSON to other systems, such as a deployment pipeline
          waiting for a version to reach Production.
        </Text>
        <Button onClick={() => setEditing("new")}>New webhook</Button>
      </Group>
      {hooks.length === 0 && (
        <EmptyState title="No webhooks yet">Create one to send events such as “a version reached Production”.</EmptyState>
      )}
      {hooks.map((hook) => (
        <Paper key={hook.id} withBorder p="md" data-testid="webhook">
          <Stack gap="xs">
            <Group justify="space-between">
              <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
                <Badge color={webhookStatusColor(hook.status)} variant="light" data-testid="webhook-status">
                  {webhookStatusLabel(hook.status)}
                </Badge>
                <Text fw={600} style={{ wordBreak: "break-all" }} data-testid="webhook-url">
                  {hook.url}
                </Text>
                {isInsecureUrl(hook.url) && (
                  <Badge color="yellow" variant="outline" title="Events travel unencrypted over http://">
                    http
                  </Badge>
                )}
              </Group>
              <Group gap="xs">
                <Button size="xs" variant="default" onClick={() => setLogOf(logOf === hook.id ? null : hook.id)}>
                  {logOf === hook.id ? "Hide deliveries" : "Deliveries"}
                </Button>
                <Button size="xs" variant="default" onClick={() => setEditing(hook)}>
                  Edit
                </Button>
                <Button size="xs" variant="default" onClick={() => confirmRotate(hook)}>
                  Rotate secret
                </Button>
                <Button size="xs" variant="light" color="red" onClick={() => confirmDelete(hook)}>
                  Delete
                </Button>
              </Group>
            </Group>
            {hook.description && <Text size="sm">{hook.description}</Text>}
            <Group gap={6}>
              {hook.events.map((e) => (
                <Code key={e}>{e}</Code>
              ))}
            </Group>
            <Text size="sm" c="dimmed">
              {hook.modelFilter ? (hook.model ? `Model ${hook.model.name}` : "A deleted model") : "Every model"} · secret{" "}
              {hook.secretHint} · created by {hook.createdBy} {formatDate(hook.createdAt)}
            </Text>
            <Group gap="xs">
              <Text size="sm">Last delivery:</Text>
              <Badge
                variant="light"
                color={hook.lastDelivery ? deliveryStatusColor(hook.lastDelivery.status) : "gray"}
                data-testid="last-delivery"
              >
                {deliveryOutcome(hook.lastDelivery)}
              </Badge>
              {hook.lastDelivery && (
                <Text size="xs" c="dimmed">
                  {hook.lastDelivery.topic} · {formatDate(hook.lastDelivery.createdAt)}
                </Text>
              )}
            </Group>
            {hook.status === "DISABLED" && hook.disabledReason && (
              <Text size="sm" c="red" data-testid="disabled-reason">
                Disabled by the registry: {hook.disabledReason} Edit it and set it Active to enable it again.
              </Text>
            )}
            {logOf === hook.id && (
              <>
                <Title order={5}>Deliveries</Title>
                <DeliveryLog webhookId={hook.id} canSend={hook.status !== "DISABLED"} />
              </>
            )}
          </Stack>
        </Paper>
      ))}
      {editing && (
        <WebhookForm
          title={editing === "new" ? "New webhook" : "Edit webhook"}
          submitLabel={editing === "new" ? "Create webhook" : "Save"}
          initial={
            editing === "new"
              ? EMPTY_WEBHOOK
              : {
                  url: editing.url,
                  description: editing.description,
                  events: [...editing.events],
                  modelId: editing.modelFilter ?? null,
                  status: editing.status,
                }
          }
          deletedModel={editing !== "new" && !!editing.modelFilter && !editing.model}
          topics={topics}
          models={models}
          onClose={() => setEditing(null)}
          onSave={editing === "new" ? saveNew : saveEdit(editing)}
        />
      )}
      {revealed && (
        <SecretReveal
          secret={revealed.secret}
          rotated={revealed.rotated}
          previousValidUntil={revealed.previousValidUntil}
          onClose={() => setRevealed(null)}
        />
      )}
    </Stack>
  );
}
