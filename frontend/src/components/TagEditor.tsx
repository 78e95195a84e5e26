import { ActionIcon, Badge, Button, Group, Text, TextInput } from "@mantine/core";
import { useState } from "react";

import type { UserError } from "../lib/errors";
import { splitErrors } from "../lib/errors";

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
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<UserError[]>([]);

  const add = async () => {
    setBusy(true);
    const found = await onSet({ key: key.trim(), value });
    setBusy(false);
    setErrors(found);
    if (found.length === 0) {
      setKey("");
      setValue("");
    }
  };
  const split = splitErrors(errors, ["tags", "keys"]);
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
                  onClick={async () => setErrors(await onDelete(tag.key))}
                >
                  ×
                </ActionIcon>
              )
            }
          >
            {tag.key}: {tag.value}
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
          <Button size="xs" variant="light" onClick={add} loading={busy} disabled={!key.trim()}>
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
