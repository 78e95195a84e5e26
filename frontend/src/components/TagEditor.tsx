import { ActionIcon, Badge, Button, Group, TagsInput, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useMutation, type TypedDocumentNode } from "urql";

import type { UserError } from "../lib/errors";
import { tagLabel } from "../lib/tags";
import { mutationErrors } from "./mutations";
import { useFormSubmit } from "./useFormSubmit";

export interface Tag {
  key: string;
  value: string;
}

/**
 * Shows tags as badges; adds or changes one (same key replaces) and removes them. Read-only
 * (`editable={false}`) for viewers who may not edit: just the badges.
 */
export function TagEditor({
  tags,
  onSet,
  onDelete,
  editable = true,
}: {
  tags: readonly Tag[];
  onSet: (tag: Tag) => Promise<UserError[]>;
  onDelete: (key: string) => Promise<UserError[]>;
  editable?: boolean;
}) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const form = useFormSubmit(["tags", "keys"]);

  const add = async () => {
    if (await form.submit(() => onSet({ key: key.trim(), value }))) {
      setKey("");
      setValue("");
    }
  };
  const split = form.split;
  const message = split.fields.tags ?? split.fields.keys ?? split.general[0];

  return (
    <div>
      <Group gap="xs" mb="xs" aria-label="Tags">
        {tags.length === 0 && (
          <Text c="dimmed" size="sm">
            {editable ? "No tags yet. Tags like team=growth let others filter models." : "No tags."}
          </Text>
        )}
        {tags.map((tag) => (
          <Badge
            key={tag.key}
            variant="light"
            size="lg"
            tt="none"
            rightSection={
              editable && (
                <ActionIcon
                  size="xs"
                  variant="transparent"
                  aria-label={`Remove tag ${tag.key}`}
                  onClick={async () => form.setErrors(await onDelete(tag.key))}
                >
                  ×
                </ActionIcon>
              )
            }
          >
            {tagLabel(tag)}
          </Badge>
        ))}
      </Group>
      {editable && (
        <Group align="flex-start" gap="xs">
          <TextInput
            size="xs"
            placeholder="key"
            aria-label="Tag key"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
          />
          <TextInput
            size="xs"
            placeholder="value"
            aria-label="Tag value"
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && key.trim()) void add();
            }}
          />
          <Button size="xs" variant="light" onClick={add} loading={form.busy} disabled={!key.trim()}>
            Set tag
          </Button>
        </Group>
      )}
      {message && (
        <Text c="red" size="sm" mt={4} role="alert">
          {message}
        </Text>
      )}
    </div>
  );
}

interface Refusals {
  errors: readonly UserError[];
}

/**
 * The TagEditor's `onSet` and `onDelete` for one thing with tags (a model, a version): its set and
 * delete mutations, each with where its payload is in the answer. Call the result with the id.
 */
export function useTagMutations<SetData, DeleteData>(
  set: TypedDocumentNode<SetData, { input: { id: string; tags: Tag[] } }>,
  setPayload: (data: SetData) => Refusals,
  remove: TypedDocumentNode<DeleteData, { input: { id: string; keys: string[] } }>,
  removePayload: (data: DeleteData) => Refusals,
) {
  const [, setTags] = useMutation(set);
  const [, deleteTags] = useMutation(remove);
  return (id: string) => ({
    onSet: async (tag: Tag) => mutationErrors(await setTags({ input: { id, tags: [tag] } }), setPayload),
    onDelete: async (key: string) => mutationErrors(await deleteTags({ input: { id, keys: [key] } }), removePayload),
  });
}

/** Tags typed into a create form as key=value texts (turn them into inputs with `tagInputs`). */
export function TagsField({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (value: string[]) => void;
  error?: string | null;
}) {
  return <TagsInput label="Tags" description="key=value, then Enter" value={value} onChange={onChange} error={error} />;
}
