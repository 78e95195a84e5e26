/**
 * The lifecycle section of a version page: loads the version's lifecycle, keeps it live by the
 * model's event subscription, and lays out the stage, requests, aliases, comments and activity.
 */
import { Alert, Paper, Stack, Title } from "@mantine/core";
import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
import { useClient, useQuery } from "urql";

import { VersionActivityQuery, VersionLifecycleQuery } from "../../graphql/lifecycle";
import { ActivityFeed, feedPage, type FeedPage } from "../ActivityFeed";
import { useLiveEvents } from "../useLiveEvents";
import { usePolling } from "../usePolling";
import { Aliases } from "./Aliases";
import { Comments } from "./Comments";
import { StageRow } from "./StageTransition";
import { PendingRequests } from "./TransitionRequests";

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
      return feedPage(result, (d) => d.project?.model?.version?.activity);
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
