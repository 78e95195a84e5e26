import { Button, Group, Paper, Stack } from "@mantine/core";
import { type ReactNode, useState } from "react";

import type { UserError } from "../lib/errors";
import { ALLOWED, type Verdict } from "../lib/permissions";
import { PermittedButton } from "./Permitted";
import { MarkdownEditor, MarkdownView } from "./Markdown";
import { notifyDone } from "./mutations";
import { ErrorLines } from "./ErrorLines";
import { useFormSubmit } from "./useFormSubmit";
import { useUnsavedChanges } from "./UnsavedChanges";

/** Markdown shown rendered, with an Edit button that opens the editor with live preview. */
export function EditableMarkdown({
  value,
  label,
  empty,
  onSave,
  testId,
  verdict = ALLOWED,
}: {
  value: string;
  /** What the text is, e.g. "Model card": used in buttons, notices and the editor's label. */
  label: string;
  empty: ReactNode;
  onSave: (value: string) => Promise<UserError[]>;
  testId?: string;
  /** Whether the viewer may edit it; the Edit button says why not. */
  verdict?: Verdict;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const form = useFormSubmit([]);
  const lower = label.toLowerCase();
  useUnsavedChanges(editing && draft !== value);

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
          <PermittedButton
            verdict={verdict}
            variant="light"
            onClick={() => {
              setDraft(value);
              form.setErrors([]);
              setEditing(true);
            }}
          >
            Edit {lower}
          </PermittedButton>
        </Group>
      </Stack>
    );
  }
  const save = async () => {
    if (await form.submit(() => onSave(draft))) {
      notifyDone(`${label} saved.`);
      setEditing(false);
    }
  };
  return (
    <Stack>
      <MarkdownEditor value={draft} onChange={setDraft} label={label} />
      <ErrorLines messages={form.split.general} />
      <Group>
        <Button onClick={save} loading={form.busy}>
          Save {lower}
        </Button>
        <Button variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
