/**
 * The lifecycle section of a version page: loads the version's lifecycle, kept live by the
 * page's event subscription (`live/useLive.ts`), and lays out the stage, requests, aliases,
 * comments and activity.
 */
import { Alert, Paper, Stack, Title } from "@mantine/core";
import { useCallback, useState } from "react";
import { useClient } from "urql";

import { VersionActivityQuery, VersionLifecycleQuery } from "../../graphql/lifecycle";
import { ActivityFeed, feedPage, type FeedPage } from "../ActivityFeed";
import { useLiveQuery } from "../live/useLive";
import { Aliases } from "./Aliases";
import { Comments } from "./Comments";
import { StageRow } from "./StageTransition";
import { PendingRequests } from "./TransitionRequests";

/** Stage, transition requests, aliases, comments and activity of one version, kept live by the page's event subscription. */
export function LifecycleSection({
  project,
  model,
  modelId,
  version,
}: {
  project: string;
  model: string;
  modelId: string;
  version: string;
}) {
  const client = useClient();
  const variables = { path: project, name: model, version };
  // Fetched again whenever the page's event subscription reports a change (the feed too).
  const [{ data, error }, refetchLifecycle] = useLiveQuery({ query: VersionLifecycleQuery, variables });
  const [feedKey, setFeedKey] = useState(0);
  const refresh = useCallback(() => {
    refetchLifecycle({ requestPolicy: "network-only" });
    setFeedKey((k) => k + 1);
  }, [refetchLifecycle]);

  const loadActivity = useCallback(
    async (first: number, after: string | null): Promise<FeedPage> => {
      const result = await client
        .query(VersionActivityQuery, { path: project, name: model, version, first, after }, { requestPolicy: "network-only" })
        .toPromise();
      return feedPage(result, (d) => d.project?.model?.version?.activity);
    },
    [client, project, model, version],
  );

  // The rest of the page (what the viewer may edit depends on the stage) follows the same
  // subscription, so a stage change needs no message to it.
  const found = data?.project?.model?.version;
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
