/**
 * Pending transition requests as the inbox and the model page list them: the version (linked),
 * where it should go, who asked and why, how long ago, and Approve / Reject / Cancel inline for
 * what the viewer may do.
 */
import { Anchor, Group, Paper, Stack, Text } from "@mantine/core";
import { Link } from "react-router";

import type { InboxRequestFieldsFragment } from "../../gql/graphql";
import { announceInboxChange, formatAge } from "../../lib/inbox";
import { urls } from "../../urls";
import { formatDate } from "../dates";
import { RequestActions } from "../lifecycle/RequestDialogs";
import { StageBadge } from "../StageBadge";

export type InboxRequest = InboxRequestFieldsFragment;

function RequestRow({
  request: r,
  showProject,
  onChanged,
}: {
  request: InboxRequest;
  showProject: boolean;
  onChanged: () => void;
}) {
  const { version } = r;
  const { model } = version;
  return (
    <Paper withBorder p="sm" data-testid="inbox-request">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap={6}>
            {showProject && (
              <Anchor component={Link} to={urls.project(model.project.path)} size="sm" c="dimmed">
                {model.project.name || model.project.path} /
              </Anchor>
            )}
            <Anchor component={Link} to={urls.model(model.project.path, model.name)} size="sm" fw={500}>
              {model.name}
            </Anchor>
            <Anchor
              component={Link}
              to={urls.version(model.project.path, model.name, version.version)}
              size="sm"
              ff="monospace"
            >
              {version.version}
            </Anchor>
            <StageBadge stage={version.stage} size="sm" />
            <Text size="sm">→</Text>
            <StageBadge stage={r.targetStage} size="sm" />
          </Group>
          <Text size="xs" c="dimmed">
            requested by <b>{r.requester}</b>{" "}
            <span title={formatDate(r.createdAt)}>{formatAge(r.createdAt)}</span>
            {r.archiveExisting ? " · archives other versions in that stage" : ""}
          </Text>
          {r.comment && (
            <Text size="sm" lineClamp={3} style={{ whiteSpace: "pre-wrap" }} data-testid="inbox-request-comment">
              {r.comment}
            </Text>
          )}
        </Stack>
        <RequestActions
          request={r}
          version={version.version}
          onChanged={() => {
            announceInboxChange();
            onChanged();
          }}
        />
      </Group>
    </Paper>
  );
}

export function PendingRequestList({
  requests,
  showProject = true,
  onChanged,
  empty,
}: {
  requests: readonly InboxRequest[];
  showProject?: boolean;
  onChanged: () => void;
  empty?: string;
}) {
  if (requests.length === 0) return empty ? <Text c="dimmed">{empty}</Text> : null;
  return (
    <Stack gap="xs">
      {requests.map((r) => (
        <RequestRow key={r.id} request={r} showProject={showProject} onChanged={onChanged} />
      ))}
    </Stack>
  );
}
