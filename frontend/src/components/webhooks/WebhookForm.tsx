import { Alert, Select, TagsInput, Text, TextInput, Textarea } from "@mantine/core";
import { useState } from "react";

import type { WebhookStatus } from "../../gql/graphql";
import type { UserError } from "../../lib/errors";
import { hasCredentials, isInsecureUrl, topicSuggestions, unknownPatterns, WEBHOOK_STATUSES } from "../../lib/webhooks";
import { FormModal } from "../FormModal";
import { useFormSubmit } from "../useFormSubmit";

export interface WebhookValues {
  url: string;
  description: string;
  events: string[];
  /** A RegisteredModel ID, or null for every model. */
  modelId: string | null;
  status: WebhookStatus;
}

export const EMPTY_WEBHOOK: WebhookValues = {
  url: "",
  description: "",
  events: ["version.stage_changed.production"],
  modelId: null,
  status: "ACTIVE",
};

const FIELDS = ["url", "description", "events", "modelId", "status"];

/**
 * The create/edit dialog of a webhook: URL (an http:// URL is allowed, with a warning), description,
 * event types from `webhookTopics` with wildcards, an optional model, and the status. `onSave`
 * sends the mutation and answers its refusals, shown next to their fields.
 */
export function WebhookForm({
  title,
  submitLabel,
  initial,
  topics,
  models,
  deletedModel = false,
  onClose,
  onSave,
}: {
  title: string;
  submitLabel: string;
  initial: WebhookValues;
  topics: readonly string[];
  models: readonly { id: string; name: string }[];
  /** The webhook filters a model that has since been deleted. */
  deletedModel?: boolean;
  onClose: () => void;
  onSave: (values: WebhookValues) => Promise<readonly UserError[]>;
}) {
  const [values, setValues] = useState<WebhookValues>(initial);
  const form = useFormSubmit(FIELDS);
  const set = (patch: Partial<WebhookValues>) => setValues((v) => ({ ...v, ...patch }));
  const unknown = unknownPatterns(values.events, topics);
  const modelOptions = [
    { value: "", label: "Every model" },
    ...models.map((m) => ({ value: m.id, label: m.name })),
    ...(deletedModel && values.modelId && !models.some((m) => m.id === values.modelId)
      ? [{ value: values.modelId, label: "(deleted model)" }]
      : []),
  ];

  const submit = async () => {
    if (await form.submit(() => onSave(values))) onClose();
  };

  return (
    <FormModal
      title={title}
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      errors={form.split.general}
      submitLabel={submitLabel}
      submitting={form.busy}
      submitDisabled={values.url.trim() === "" || values.events.length === 0}
    >
      <TextInput
        label="URL"
        description="Events are POSTed here as JSON, signed with the webhook's secret."
        placeholder="https://deploy.example.com/hooks/modelreg"
        required
        value={values.url}
        onChange={(e) => set({ url: e.currentTarget.value })}
        error={
          form.split.fields.url ??
          (hasCredentials(values.url) ? "Put no user or password in the URL; receivers check the signature." : null)
        }
      />
      {isInsecureUrl(values.url) && (
        <Alert color="yellow" variant="light" data-testid="insecure-url">
          This URL uses http://: events travel unencrypted. Prefer https://.
        </Alert>
      )}
      <Textarea
        label="Description"
        value={values.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
        error={form.split.fields.description}
      />
      <TagsInput
        label="Event types"
        description="Pick or type event types; a trailing * matches many (version.*). version.stage_changed.production fires when a version reaches Production."
        data={topicSuggestions(topics)}
        value={values.events}
        onChange={(events) => set({ events })}
        clearable
        acceptValueOnBlur
        error={
          form.split.fields.events ??
          (unknown.length > 0 ? `No event type matches ${unknown.map((p) => `'${p}'`).join(", ")}.` : null)
        }
      />
      <Select
        label="Model"
        description="Only events of this model, or of every model of the project."
        data={modelOptions}
        value={values.modelId ?? ""}
        onChange={(value) => set({ modelId: value ? value : null })}
        allowDeselect={false}
        error={form.split.fields.modelId}
      />
      <Select
        label="Status"
        data={WEBHOOK_STATUSES.map((s) => ({ value: s.value, label: `${s.label} — ${s.summary}` }))}
        value={values.status}
        onChange={(value) => value && set({ status: value as WebhookStatus })}
        allowDeselect={false}
        error={form.split.fields.status}
      />
      {initial.status === "DISABLED" && values.status !== "DISABLED" && (
        <Text size="sm" c="dimmed">
          Enabling it forgets the failed deliveries that disabled it.
        </Text>
      )}
    </FormModal>
  );
}
