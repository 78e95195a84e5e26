import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconX } from "@tabler/icons-react";
import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";

import {
  AddCommentMutation,
  ApproveTransitionRequestMutation,
  CancelTransitionRequestMutation,
  DeleteAliasMutation,
  DeleteCommentMutation,
  EditCommentMutation,
  RejectTransitionRequestMutation,
  RequestTransitionMutation,
  SetAliasMutation,
  TransitionStageMutation,
  VersionActivityQuery,
  VersionLifecycleQuery,
} from "../graphql/lifecycle";
import type { Stage, VersionLifecycleQuery as VersionLifecycleData } from "../gql/graphql";
import { stageLabel } from "../lib/activity";
import { roleLabel } from "../lib/roles";
import { splitErrors, type UserError } from "../lib/errors";
import {
  defaultTarget,
  permissionFor,
  stageButton,
  transitionChoices,
  type TransitionChoice,
} from "../lib/permissions";
import { ActivityFeed, type FeedPage } from "./ActivityFeed";
import { formatDate } from "./dates";
import { MarkdownView } from "./Markdown";
import { mutationErrors, notifyDone, notifyErrors } from "./mutations";
import { StageBadge } from "./StageBadge";
import { useLiveEvents } from "./useLiveEvents";
import { usePolling } from "./usePolling";
import { ErrorLines } from "./ErrorLines";
import { VerdictBadge } from "./ModelMetadata";
import { bumpLabel } from "../lib/compare";
import { NotAllowedNote, PermittedButton, SignInHint } from "./Permitted";

type LifecycleVersion = NonNullable<NonNullable<NonNullable<VersionLifecycleData["project"]>["model"]>["version"]>;
type PendingRequest = LifecycleVersion["transitionRequests"][number];

/** Stage, transition requests, aliases, comments and activity of one version, kept live by the model's event subscription. */
export function LifecycleSection({
  project,
  model,
  modelId,
  version,
  onStageChanged,
}: {
  project: string;
  model: string;
  modelId: string;
  version: string;
  /** The stage changed (here or elsewhere): what the viewer may edit may have changed with it. */
  onStageChanged?: () => void;
}) {
  const client = useClient();
  const variables = { path: project, name: model, version };
  const [{ data, error }, refetchLifecycle] = useQuery({ query: VersionLifecycleQuery, variables });
  const [feedKey, setFeedKey] = useState(0);
  const refresh = useCallback(() => {
    refetchLifecycle({ requestPolicy: "network-only" });
    setFeedKey((k) => k + 1);
  }, [refetchLifecycle]);
  // Live updates come through the model's event subscription; a slow poll is the safety net
  // for a dropped websocket.
  useLiveEvents(project, model, refresh);
  usePolling(() => refetchLifecycle({ requestPolicy: "network-only" }), 30_000);

  const loadActivity = useCallback(
    async (first: number, after: string | null): Promise<FeedPage> => {
      const result = await client
        .query(VersionActivityQuery, { path: project, name: model, version, first, after }, { requestPolicy: "network-only" })
        .toPromise();
      if (result.error) throw new Error(result.error.networkError ? "The registry server cannot be reached." : result.error.message);
      const activity = result.data?.project?.model?.version?.activity;
      return {
        events: activity?.edges.map((e) => e.node) ?? [],
        hasNextPage: activity?.pageInfo.hasNextPage ?? false,
        endCursor: activity?.pageInfo.endCursor ?? null,
      };
    },
    [client, project, model, version],
  );

  const found = data?.project?.model?.version;
  const stage = found?.stage;
  const seenStage = useRef(stage);
  const stageChanged = useEffectEvent(() => onStageChanged?.());
  useEffect(() => {
    if (stage === undefined) return;
    if (seenStage.current !== undefined && seenStage.current !== stage) stageChanged();
    seenStage.current = stage;
  }, [stage]);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lifecycle-heading">
      <Stack>
        <Title order={4} id="lifecycle-heading">
          Lifecycle
        </Title>
        {error && (
          <Alert color="red" title="Could not load the lifecycle">
            {error.networkError ? "The registry server cannot be reached." : error.message}
          </Alert>
        )}
        {found && (
          <>
            <StageRow version={found} onChanged={refresh} />
            <PendingRequests version={found} onChanged={refresh} />
            <Aliases version={found} modelId={modelId} onChanged={refresh} />
            <Comments version={found} onChanged={refresh} />
          </>
        )}
        <div>
          <Title order={5} mb="xs">
            Activity
          </Title>
          <ActivityFeed load={loadActivity} refreshKey={feedKey} label="Version activity" />
        </div>
      </Stack>
    </Paper>
  );
}

function StageRow({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
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
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching: transitioning }, transition] = useMutation(TransitionStageMutation);
  const [{ fetching: requesting }, request] = useMutation(RequestTransitionMutation);
  const split = splitErrors(errors, ["stage", "comment"]);
  const chosen = choices.find((c) => c.stage === stage);
  const mode = chosen?.mode ?? null;
  const onlyRequests = choices.every((c) => c.mode !== "transition");

  const submit = async () => {
    if (!mode) return;
    const input = { versionId: version.id, stage, comment, archiveExisting };
    const found =
      mode === "transition"
        ? mutationErrors(await transition({ input }), (d) => d.transitionStage)
        : mutationErrors(await request({ input }), (d) => d.requestTransition);
    setErrors(found);
    if (found.length === 0) {
      notifyDone(
        mode === "transition"
          ? `${version.version} moved to ${stageLabel(stage)}.`
          : `Requested moving ${version.version} to ${stageLabel(stage)}.`,
      );
      onDone();
    }
  };
  return (
    <Modal
      opened
      onClose={onClose}
      closeButtonProps={{ "aria-label": "Close" }}
      title={onlyRequests ? `Request a transition of ${version.version}` : `Change the stage of ${version.version}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <Select
            label="Target stage"
            data={choices.map((c) => ({ value: c.stage, label: stageLabel(c.stage), disabled: c.mode === null }))}
            value={stage}
            onChange={(v) => {
              if (!v) return;
              setStage(v as Stage);
              setErrors([]);
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
          <ErrorLines messages={split.general} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={transitioning || requesting} disabled={!mode}>
              {mode === "request" ? "Request transition" : "Transition"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

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

function PendingRequests({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
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
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching }, approve] = useMutation(ApproveTransitionRequestMutation);
  const split = splitErrors(errors, ["comment"]);
  const submit = async () => {
    const found = mutationErrors(
      await approve({ input: { id: request.id, comment, archiveExisting } }),
      (d) => d.approveTransitionRequest,
    );
    setErrors(found);
    if (found.length === 0) {
      notifyDone(`${version} moved to ${stageLabel(request.targetStage)}.`);
      onDone();
    }
  };
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ "aria-label": "Close" }} title={`Approve moving ${version} to ${stageLabel(request.targetStage)}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
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
          <ErrorLines messages={split.general} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="green" loading={fetching}>
              Approve
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Aliases({ version, modelId, onChanged }: { version: LifecycleVersion; modelId: string; onChanged: () => void }) {
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching }, setAlias] = useMutation(SetAliasMutation);
  const [, deleteAlias] = useMutation(DeleteAliasMutation);
  const split = splitErrors(errors, ["alias"]);
  const manage = permissionFor(version.viewerPermissions, "MANAGE_ALIASES");
  const add = async () => {
    const alias = value.trim();
    const found = mutationErrors(await setAlias({ input: { versionId: version.id, alias } }), (d) => d.setAlias);
    setErrors(found);
    if (found.length === 0) {
      setValue("");
      notifyDone(`Alias ${alias} now points at ${version.version}.`);
      onChanged();
    }
  };
  const remove = async (alias: string) => {
    const found = mutationErrors(await deleteAlias({ input: { modelId, alias } }), (d) => d.deleteAlias);
    if (found.length) notifyErrors(found);
    else notifyDone(`Alias ${alias} removed.`);
    onChanged();
  };
  return (
    <div>
      <Title order={5} mb="xs">
        Aliases
      </Title>
      <Stack gap="xs">
        <Group gap="xs" aria-label="Aliases">
          {version.aliases.length === 0 && (
            <Text size="sm" c="dimmed">
              No aliases point at this version.
            </Text>
          )}
          {version.aliases.map((a) => (
            <Badge
              key={a}
              variant="outline"
              tt="none"
              size="lg"
              rightSection={
                manage.allowed && (
                  <ActionIcon
                    size="xs"
                    variant="transparent"
                    aria-label={`Remove alias ${a}`}
                    onClick={() => void remove(a)}
                  >
                    <IconX size={12} />
                  </ActionIcon>
                )
              }
            >
              @{a}
            </Badge>
          ))}
        </Group>
        {manage.allowed ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void add();
            }}
          >
            <Group align="flex-start" gap="xs">
              <TextInput
                aria-label="New alias"
                placeholder="champion"
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                error={split.fields.alias ?? split.general.join(" ")}
                w={260}
              />
              <Button type="submit" variant="light" loading={fetching} disabled={!value.trim()}>
                Add alias
              </Button>
            </Group>
          </form>
        ) : (
          <NotAllowedNote verdict={manage} />
        )}
      </Stack>
    </div>
  );
}

function Comments({ version, onChanged }: { version: LifecycleVersion; onChanged: () => void }) {
  const [body, setBody] = useState("");
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching }, addComment] = useMutation(AddCommentMutation);
  const split = splitErrors(errors, ["body"]);
  const may = permissionFor(version.viewerPermissions, "COMMENT");
  const add = async () => {
    const found = mutationErrors(await addComment({ input: { versionId: version.id, body } }), (d) => d.addComment);
    setErrors(found);
    if (found.length === 0) {
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
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void add();
            }}
          >
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
                <Button type="submit" variant="light" loading={fetching} disabled={!body.trim()}>
                  Comment
                </Button>
              </Group>
            </Stack>
          </form>
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
  const [errors, setErrors] = useState<UserError[]>([]);
  const [{ fetching }, edit] = useMutation(EditCommentMutation);
  const [, remove] = useMutation(DeleteCommentMutation);
  const split = splitErrors(errors, ["body"]);
  const save = async () => {
    const found = mutationErrors(await edit({ input: { id: comment.id, body: draft } }), (d) => d.editComment);
    setErrors(found);
    if (found.length === 0) {
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
                setErrors([]);
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
            <Button size="xs" loading={fetching} onClick={() => void save()}>
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
