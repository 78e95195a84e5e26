/**
 * Resolving a transition request: the approve and reject dialogs (each with a comment, which the
 * activity shows as the reason) and the buttons that open them, as the version page and the inbox
 * show them for what the viewer may do (`availableActions`).
 */
import { Button, Checkbox, Group, Text, Textarea } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { useMutation } from "urql";

import {
  ApproveTransitionRequestMutation,
  CancelTransitionRequestMutation,
  RejectTransitionRequestMutation,
} from "../../graphql/lifecycle";
import type { Stage, TransitionRequestAction } from "../../gql/graphql";
import { stageLabel } from "../../lib/activity";
import { FormModal } from "../FormModal";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { useFormSubmit } from "../useFormSubmit";

/** What the dialogs need to know of a request. */
export interface ResolvableRequest {
  id: string;
  requester: string;
  targetStage: Stage;
  archiveExisting: boolean;
  availableActions: readonly TransitionRequestAction[];
}

function CommentField({ value, onChange, error, description }: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  description: string;
}) {
  return (
    <Textarea
      label="Comment"
      description={description}
      autosize
      minRows={2}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
    />
  );
}

export function ApproveModal({
  request,
  version,
  onClose,
  onDone,
}: {
  request: ResolvableRequest;
  version: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const [comment, setComment] = useState("");
  const [archiveExisting, setArchiveExisting] = useState(request.archiveExisting);
  const form = useFormSubmit(["comment"]);
  const [, approve] = useMutation(ApproveTransitionRequestMutation);
  const submit = async () => {
    const ok = await form.submit(async () =>
      mutationErrors(
        await approve({ input: { id: request.id, comment, archiveExisting } }),
        (d) => d.approveTransitionRequest,
      ),
    );
    if (ok) {
      notifyDone(`${version} moved to ${stageLabel(request.targetStage)}.`);
      onDone();
    }
  };
  return (
    <FormModal
      onClose={onClose}
      title={`Approve moving ${version} to ${stageLabel(request.targetStage)}`}
      onSubmit={submit}
      errors={form.split.general}
      submitLabel="Approve"
      submitting={form.busy}
      submitColor="green"
    >
      <CommentField
        value={comment}
        onChange={setComment}
        error={form.split.fields.comment}
        description="Optional; the activity shows it with the approval."
      />
      <Checkbox
        label="Archive other versions in this stage"
        checked={archiveExisting}
        onChange={(e) => setArchiveExisting(e.currentTarget.checked)}
      />
    </FormModal>
  );
}

export function RejectModal({
  request,
  version,
  onClose,
  onDone,
}: {
  request: ResolvableRequest;
  version: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const [comment, setComment] = useState("");
  const form = useFormSubmit(["comment"]);
  const [, reject] = useMutation(RejectTransitionRequestMutation);
  const submit = async () => {
    const ok = await form.submit(async () =>
      mutationErrors(await reject({ input: { id: request.id, comment } }), (d) => d.rejectTransitionRequest),
    );
    if (ok) {
      notifyDone("Request rejected.");
      onDone();
    }
  };
  return (
    <FormModal
      onClose={onClose}
      title={`Reject moving ${version} to ${stageLabel(request.targetStage)}`}
      onSubmit={submit}
      errors={form.split.general}
      submitLabel="Reject request"
      submitting={form.busy}
      submitColor="red"
    >
      <Text size="sm">
        {request.requester} asked to move {version} to {stageLabel(request.targetStage)}.
      </Text>
      <CommentField
        value={comment}
        onChange={setComment}
        error={form.split.fields.comment}
        description={`Tell ${request.requester} why; the activity shows it with the rejection.`}
      />
    </FormModal>
  );
}

/** Approve, Reject and Cancel for one request, as far as the viewer may; `onChanged` after. */
export function RequestActions({
  request,
  version,
  onChanged,
}: {
  request: ResolvableRequest;
  version: string;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState<"approve" | "reject" | null>(null);
  const [, cancel] = useMutation(CancelTransitionRequestMutation);
  const actions = request.availableActions;
  const done = () => {
    setOpen(null);
    onChanged();
  };
  const confirmCancel = () =>
    modals.openConfirmModal({
      title: "Cancel this request?",
      children: (
        <Text size="sm">
          {request.requester} asked to move {version} to {stageLabel(request.targetStage)}.
        </Text>
      ),
      labels: { confirm: "Cancel request", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(await cancel({ input: { id: request.id } }), (d) => d.cancelTransitionRequest);
        if (errors.length) notifyErrors(errors);
        else notifyDone("Request cancelled.");
        onChanged();
      },
    });
  return (
    <Group gap="xs" wrap="nowrap">
      {actions.includes("APPROVE") && (
        <Button size="xs" color="green" onClick={() => setOpen("approve")}>
          Approve
        </Button>
      )}
      {actions.includes("REJECT") && (
        <Button size="xs" variant="light" color="red" onClick={() => setOpen("reject")}>
          Reject
        </Button>
      )}
      {actions.includes("CANCEL") && (
        <Button size="xs" variant="default" onClick={confirmCancel}>
          Cancel
        </Button>
      )}
      {!actions.includes("APPROVE") && (
        <Text size="xs" c="dimmed" data-testid="awaiting-approval">
          Awaiting approval
        </Text>
      )}
      {open === "approve" && (
        <ApproveModal request={request} version={version} onClose={() => setOpen(null)} onDone={done} />
      )}
      {open === "reject" && (
        <RejectModal request={request} version={version} onClose={() => setOpen(null)} onDone={done} />
      )}
    </Group>
  );
}
