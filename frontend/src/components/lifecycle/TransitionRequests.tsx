/** Pending transition requests of a version: what an approver should know, approve, reject, cancel. */
import { Button, Checkbox, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { useState } from "react";
import { useMutation } from "urql";

import {
  ApproveTransitionRequestMutation,
  CancelTransitionRequestMutation,
  RejectTransitionRequestMutation,
} from "../../graphql/lifecycle";
import type { Stage } from "../../gql/graphql";
import { stageLabel } from "../../lib/activity";
import { bumpLabel } from "../../lib/compare";
import { formatDate } from "../dates";
import { FormModal } from "../FormModal";
import { MarkdownView } from "../Markdown";
import { VerdictBadge } from "../ModelMetadata";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { StageBadge } from "../StageBadge";
import { useFormSubmit } from "../useFormSubmit";
import type { LifecycleVersion, PendingRequest } from "./types";

/** What an approver should know about the version's number before approving. */
function RequestCompatibility({
  compatibility: c,
  targetStage,
}: {
  compatibility: LifecycleVersion["compatibility"];
  targetStage: Stage;
}) {
  const prereleaseToProduction = c.isPrerelease && targetStage === "PRODUCTION";
  return (
    <Stack gap={4} data-testid="request-compatibility">
      <Group gap={6}>
        <Text size="xs" c="dimmed">
          SemVer check{c.previousVersion ? ` against ${c.previousVersion}` : ""}:
        </Text>
        <VerdictBadge verdict={c.verdict} size="sm" />
        {c.requiredBump && c.declaredBump && c.verdict === "TOO_SMALL" && (
          <Text size="xs" c="dimmed">
            declared {bumpLabel(c.declaredBump).toLowerCase()}, needs {bumpLabel(c.requiredBump).toLowerCase()}
          </Text>
        )}
      </Group>
      {c.warning && (
        <Text size="sm" c={c.guard === "ENFORCE" ? "red" : "orange"}>
          {c.warning}
        </Text>
      )}
      {prereleaseToProduction && (
        <Text size="sm" c="orange">
          A prerelease is not for Production.
          {c.guard === "ENFORCE" ? " This project refuses to move it there." : ""}
        </Text>
      )}
    </Stack>
  );
}

export function PendingRequests({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
  const [approving, setApproving] = useState<PendingRequest | null>(null);
  const [, reject] = useMutation(RejectTransitionRequestMutation);
  const [, cancel] = useMutation(CancelTransitionRequestMutation);
  const pending = version.transitionRequests.filter((r) => r.status === "PENDING");
  if (pending.length === 0) return null;

  const resolve = (request: PendingRequest, action: "reject" | "cancel") =>
    modals.openConfirmModal({
      title: action === "reject" ? "Reject this request?" : "Cancel this request?",
      children: (
        <Text size="sm">
          {request.requester} asked to move {version.version} to {stageLabel(request.targetStage)}.
        </Text>
      ),
      labels: { confirm: action === "reject" ? "Reject request" : "Cancel request", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const input = { id: request.id };
        const errors =
          action === "reject"
            ? mutationErrors(await reject({ input }), (d) => d.rejectTransitionRequest)
            : mutationErrors(await cancel({ input }), (d) => d.cancelTransitionRequest);
        if (errors.length) notifyErrors(errors);
        else notifyDone(action === "reject" ? "Request rejected." : "Request cancelled.");
        onChanged();
      },
    });

  return (
    <div>
      <Title order={5} mb="xs">
        Pending requests
      </Title>
      <Stack gap="xs">
        {pending.map((r) => (
          <Paper key={r.id} withBorder p="sm" data-testid="transition-request">
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4}>
                <Group gap={6}>
                  <Text size="sm">
                    <b>{r.requester}</b> requests
                  </Text>
                  <StageBadge stage={r.targetStage} size="sm" />
                  <Text size="xs" c="dimmed">
                    {formatDate(r.createdAt)}
                    {r.archiveExisting ? " · archives other versions in that stage" : ""}
                  </Text>
                </Group>
                {r.comment && <MarkdownView source={r.comment} />}
                <RequestCompatibility compatibility={version.compatibility} targetStage={r.targetStage} />
              </Stack>
              <Group gap="xs" wrap="nowrap">
                {r.availableActions.includes("APPROVE") && (
                  <Button size="xs" color="green" onClick={() => setApproving(r)}>
                    Approve
                  </Button>
                )}
                {r.availableActions.includes("REJECT") && (
                  <Button size="xs" variant="light" color="red" onClick={() => resolve(r, "reject")}>
                    Reject
                  </Button>
                )}
                {r.availableActions.includes("CANCEL") && (
                  <Button size="xs" variant="default" onClick={() => resolve(r, "cancel")}>
                    Cancel
                  </Button>
                )}
                {!r.availableActions.includes("APPROVE") && (
                  <Text size="xs" c="dimmed" data-testid="awaiting-approval">
                    Awaiting approval
                  </Text>
                )}
              </Group>
            </Group>
          </Paper>
        ))}
      </Stack>
      {approving && (
        <ApproveModal
          request={approving}
          version={version.version}
          onClose={() => setApproving(null)}
          onDone={() => {
            setApproving(null);
            onChanged();
          }}
        />
      )}
    </div>
  );
}

function ApproveModal({
  request,
  version,
  onClose,
  onDone,
}: {
  request: PendingRequest;
  version: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const [comment, setComment] = useState("");
  const [archiveExisting, setArchiveExisting] = useState(request.archiveExisting);
  const form = useFormSubmit(["comment"]);
  const [, approve] = useMutation(ApproveTransitionRequestMutation);
  const split = form.split;
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
      errors={split.general}
      submitLabel="Approve"
      submitting={form.busy}
      submitColor="green"
    >
      <Textarea
        label="Comment"
        autosize
        minRows={2}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        error={split.fields.comment}
      />
      <Checkbox
        label="Archive other versions in this stage"
        checked={archiveExisting}
        onChange={(e) => setArchiveExisting(e.currentTarget.checked)}
      />
    </FormModal>
  );
}
