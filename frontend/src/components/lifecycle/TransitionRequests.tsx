/** Pending transition requests of a version: what an approver should know, approve, reject, cancel. */
import { Group, Paper, Stack, Text, Title } from "@mantine/core";

import type { Stage } from "../../gql/graphql";
import { bumpLabel } from "../../lib/compare";
import { formatDate } from "../dates";
import { MarkdownView } from "../Markdown";
import { VerdictBadge } from "../ModelMetadata";
import { StageBadge } from "../StageBadge";
import { RequestActions } from "./RequestDialogs";
import type { LifecycleVersion } from "./types";

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
  const pending = version.transitionRequests.filter((r) => r.status === "PENDING");
  if (pending.length === 0) return null;

  return (
    <div>
      <Title order={5} mb="xs">
        Pending requests
      </Title>
      <Stack gap="xs">
        {pending.map((r) => (
          <Paper key={r.id} withBorder p="sm" data-testid="transition-request">
            {/* The text takes the width; on a phone the buttons go below it instead of squeezing it. */}
            <Group justify="space-between" align="flex-start" gap="xs">
              <Stack gap={4} style={{ flex: "1 1 16rem", minWidth: 0 }}>
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
              <RequestActions request={r} version={version.version} onChanged={onChanged} />
            </Group>
          </Paper>
        ))}
      </Stack>
    </div>
  );
}
