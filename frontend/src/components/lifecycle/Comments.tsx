/** The comments on a version: add, edit and delete (Markdown). */
import { Button, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { useMutation } from "urql";

import { AddCommentMutation, DeleteCommentMutation, EditCommentMutation } from "../../graphql/lifecycle";
import { permissionFor } from "../../lib/permissions";
import { formatDate } from "../dates";
import { SubmitForm } from "../FormModal";
import { MarkdownView } from "../Markdown";
import { mutationErrors, notifyErrors } from "../mutations";
import { NotAllowedNote, SignInHint } from "../Permitted";
import { useFormSubmit } from "../useFormSubmit";
import { useUnsavedChanges } from "../UnsavedChanges";
import type { LifecycleVersion } from "./types";

export function Comments({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
  const [body, setBody] = useState("");
  const form = useFormSubmit(["body"]);
  const [, addComment] = useMutation(AddCommentMutation);
  const split = form.split;
  const may = permissionFor(version.viewerPermissions, "COMMENT");
  useUnsavedChanges(body.trim() !== "");
  const add = async () => {
    const send = async () =>
      mutationErrors(await addComment({ input: { versionId: version.id, body } }), (d) => d.addComment);
    if (await form.submit(send)) {
      setBody("");
      onChanged();
    }
  };
  return (
    <div>
      <Title order={5} mb="xs">
        Comments ({version.comments.length})
      </Title>
      <Stack gap="xs">
        {version.comments.map((c) => (
          <CommentItem key={c.id} comment={c} onChanged={onChanged} />
        ))}
        {may.allowed ? (
          <SubmitForm onSubmit={add}>
            <Stack gap="xs">
              <Textarea
                aria-label="New comment"
                placeholder="Add a comment (Markdown)"
                autosize
                minRows={2}
                value={body}
                onChange={(e) => setBody(e.currentTarget.value)}
                error={split.fields.body ?? (split.general.join(" ") || undefined)}
              />
              <Group>
                <Button type="submit" variant="light" loading={form.busy} disabled={!body.trim()}>
                  Comment
                </Button>
              </Group>
            </Stack>
          </SubmitForm>
        ) : (
          <>
            <NotAllowedNote verdict={may} />
            <SignInHint compact>Sign in to comment.</SignInHint>
          </>
        )}
      </Stack>
    </div>
  );
}

function CommentItem({
  comment,
  onChanged,
}: {
  comment: LifecycleVersion["comments"][number];
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(comment.body);
  const form = useFormSubmit(["body"]);
  const [, edit] = useMutation(EditCommentMutation);
  const [, remove] = useMutation(DeleteCommentMutation);
  useUnsavedChanges(editing && draft !== comment.body);
  const split = form.split;
  const save = async () => {
    const send = async () =>
      mutationErrors(await edit({ input: { id: comment.id, body: draft } }), (d) => d.editComment);
    if (await form.submit(send)) {
      setEditing(false);
      onChanged();
    }
  };
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: "Delete this comment?",
      children: <Text size="sm">It cannot be undone.</Text>,
      labels: { confirm: "Delete comment", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const found = mutationErrors(await remove({ input: { id: comment.id } }), (d) => d.deleteComment);
        if (found.length) notifyErrors(found);
        onChanged();
      },
    });
  return (
    <Paper withBorder p="sm" data-testid="comment">
      <Group justify="space-between" mb={4}>
        <Text size="sm">
          <b>{comment.author}</b>{" "}
          <Text span size="xs" c="dimmed">
            {formatDate(comment.createdAt)}
            {comment.edited ? " · edited" : ""}
          </Text>
        </Text>
        {!editing && comment.viewerCanChange && (
          <Group gap={4}>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => {
                setDraft(comment.body);
                form.setErrors([]);
                setEditing(true);
              }}
            >
              Edit
            </Button>
            <Button size="compact-xs" variant="subtle" color="red" onClick={confirmDelete}>
              Delete
            </Button>
          </Group>
        )}
      </Group>
      {editing ? (
        <Stack gap="xs">
          <Textarea
            aria-label="Edit comment"
            autosize
            minRows={2}
            value={draft}
            onChange={(e) => setDraft(e.currentTarget.value)}
            error={split.fields.body ?? (split.general.join(" ") || undefined)}
          />
          <Group gap="xs">
            <Button size="xs" loading={form.busy} onClick={() => void save()}>
              Save
            </Button>
            <Button size="xs" variant="default" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      ) : (
        <MarkdownView source={comment.body} />
      )}
    </Paper>
  );
}
