import { Button, Group, Paper, Stack } from "@mantine/core";
import { type ReactNode, useState } from "react";

import type { UserError } from "../lib/errors";
import { MarkdownEditor, MarkdownView } from "./Markdown";
import { notifyDone } from "./mutations";
import { ErrorLines } from "./ErrorLines";

/** Markdown shown rendered, with an Edit button that opens the editor with live preview. */
export function EditableMarkdown({
  value,
  label,
  empty,
  onSave,
  testId,
}: {
  value: string;
  /** What the text is, e.g. "Model card": used in buttons, notices and the editor's label. */
  label: string;
  empty: ReactNode;
  onSave: (value: string) => Promise<UserError[]>;
  testId?: string;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [saving, setSaving] = useState(false);
  const lower = label.toLowerCase();

  if (!editing) {
    return (
      <Stack>
        {value ? (
          <Paper withBorder p="md" data-testid={testId}>
            <MarkdownView source={value} />
          </Paper>
        ) : (
          empty
        )}
        <Group>
          <Button
            variant="light"
            onClick={() => {
              setDraft(value);
              setErrors([]);
              setEditing(true);
            }}
          >
            Edit {lower}
          </Button>
        </Group>
      </Stack>
    );
  }
  const save = async () => {
    setSaving(true);
    const found = await onSave(draft);
    setSaving(false);
    setErrors(found);
    if (found.length === 0) {
      notifyDone(`${label} saved.`);
      setEditing(false);
    }
  };
  return (
    <Stack>
      <MarkdownEditor value={draft} onChange={setDraft} label={label} />
      <ErrorLines messages={errors.map((e) => e.message)} />
      <Group>
        <Button onClick={save} loading={saving}>
          Save {lower}
        </Button>
        <Button variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
