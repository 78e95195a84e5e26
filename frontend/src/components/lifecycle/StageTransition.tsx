/** The version's stage and the dialog that moves it to another stage, or asks for that. */
import { Alert, Checkbox, Group, Select, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import { useMutation } from "urql";

import { RequestTransitionMutation, TransitionStageMutation } from "../../graphql/lifecycle";
import type { Stage } from "../../gql/graphql";
import { stageLabel } from "../../lib/activity";
import { defaultTarget, stageButton, transitionChoices, type TransitionChoice } from "../../lib/permissions";
import { roleLabel } from "../../lib/roles";
import { FormModal } from "../FormModal";
import { mutationErrors, notifyDone } from "../mutations";
import { PermittedButton } from "../Permitted";
import { StageBadge } from "../StageBadge";
import { useFormSubmit } from "../useFormSubmit";
import type { LifecycleVersion } from "./types";

export function StageRow({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const choices = transitionChoices(version.transitionTargets);
  const button = stageButton(choices);
  return (
    <Group justify="space-between">
      <Group gap="xs">
        <Text fw={500}>Stage</Text>
        <StageBadge stage={version.stage} size="lg" aria-label="Stage" />
      </Group>
      <PermittedButton verdict={button.verdict} variant="light" onClick={() => setOpen(true)}>
        {button.label}
      </PermittedButton>
      {open && (
        <TransitionModal
          choices={choices}
          version={version}
          onClose={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            onChanged();
          }}
        />
      )}
    </Group>
  );
}

/**
 * Moves the version to another stage, or asks for it: for each target the server says whether the
 * viewer may transition directly; where only a request is allowed the dialog sends a request.
 */
function TransitionModal({
  choices,
  version,
  onClose,
  onDone,
}: {
  choices: readonly TransitionChoice[];
  version: LifecycleVersion;
  onClose: () => void;
  onDone: () => void;
}) {
  const [stage, setStage] = useState<Stage>(() => defaultTarget(choices) ?? "NONE");
  const [comment, setComment] = useState("");
  const [archiveExisting, setArchiveExisting] = useState(false);
  const form = useFormSubmit(["stage", "comment"]);
  const [, transition] = useMutation(TransitionStageMutation);
  const [, request] = useMutation(RequestTransitionMutation);
  const split = form.split;
  const chosen = choices.find((c) => c.stage === stage);
  const mode = chosen?.mode ?? null;
  const onlyRequests = choices.every((c) => c.mode !== "transition");

  const submit = async () => {
    if (!mode) return;
    const input = { versionId: version.id, stage, comment, archiveExisting };
    const ok = await form.submit(async () =>
      mode === "transition"
        ? mutationErrors(await transition({ input }), (d) => d.transitionStage)
        : mutationErrors(await request({ input }), (d) => d.requestTransition),
    );
    if (ok) {
      notifyDone(
        mode === "transition"
          ? `${version.version} moved to ${stageLabel(stage)}.`
          : `Requested moving ${version.version} to ${stageLabel(stage)}.`,
      );
      onDone();
    }
  };
  return (
    <FormModal
      onClose={onClose}
      title={onlyRequests ? `Request a transition of ${version.version}` : `Change the stage of ${version.version}`}
      onSubmit={submit}
      errors={split.general}
      submitLabel={mode === "request" ? "Request transition" : "Transition"}
      submitting={form.busy}
      submitDisabled={!mode}
    >
      <Select
        label="Target stage"
        data={choices.map((c) => ({ value: c.stage, label: stageLabel(c.stage), disabled: c.mode === null }))}
        value={stage}
        onChange={(v) => {
          if (!v) return;
          setStage(v as Stage);
          form.setErrors([]);
        }}
        allowDeselect={false}
        error={split.fields.stage}
      />
      {mode === "request" && (
        <Alert color="blue" variant="light" data-testid="request-explanation">
          {chosen?.approverRole
            ? `Moving it to ${stageLabel(stage)} needs the ${roleLabel(chosen.approverRole)} role or higher in this project. `
            : chosen?.reason
              ? `${chosen.reason} `
              : ""}
          This sends a request; a member who may move it there approves or rejects it.
        </Alert>
      )}
      <Textarea
        label="Comment"
        description="Markdown; shown in the activity."
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
