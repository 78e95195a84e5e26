import { Alert, Anchor, Button, Collapse, Group, List, Paper, Stack, Text, Timeline } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import type { OperationResult } from "urql";

import { mergeEvents } from "../lib/activity";
import { groupActivity, type ActivityEntry } from "../lib/activityGroups";
import { formatDate } from "./dates";
import { useOnLiveChange } from "./live/useLive";

export interface FeedEvent {
  id: string;
  type: string;
  actor: string;
  createdAt: string;
  payload: unknown;
}

export interface FeedPage {
  events: FeedEvent[];
  hasNextPage: boolean;
  endCursor: string | null;
}

interface EventConnection {
  edges: readonly { node: FeedEvent }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * A feed page from the answer to an activity query, `pick` finding the connection in its data;
 * a failed query throws, with the sentence the feed shows.
 */
export function feedPage<D>(
  result: OperationResult<D>,
  pick: (data: D) => EventConnection | null | undefined,
): FeedPage {
  if (result.error) throw new Error(result.error.networkError ? "The registry server cannot be reached." : result.error.message);
  const activity = result.data ? pick(result.data) : null;
  return {
    events: activity?.edges.map((e) => e.node) ?? [],
    hasNextPage: activity?.pageInfo.hasNextPage ?? false,
    endCursor: activity?.pageInfo.endCursor ?? null,
  };
}

const PAGE = 20;

/**
 * An activity feed, newest first, with "Load more" over the cursor. The first page is fetched
 * again when the live page reports a change (and whenever `refreshKey` changes), so new events
 * appear at the top.
 */
export function ActivityFeed({
  load,
  refreshKey = 0,
  label = "Activity",
}: {
  /** Fetches `first` events after the cursor from the network. */
  load: (first: number, after: string | null) => Promise<FeedPage>;
  refreshKey?: number;
  label?: string;
}) {
  const [latest, setLatest] = useState<FeedEvent[] | null>(null);
  const [older, setOlder] = useState<FeedEvent[]>([]);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const refresh = useCallback(() => {
    load(PAGE, null).then(
      (page) => {
        setError(null);
        setLatest(page.events);
        // The cursor of the first page matters only until an older page was loaded.
        setCursor((c) => c ?? { hasNextPage: page.hasNextPage, endCursor: page.endCursor });
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [load]);

  useEffect(() => {
    refresh();
  }, [refresh, refreshKey]);
  useOnLiveChange(refresh);

  const loadMore = async () => {
    if (!cursor?.endCursor) return;
    setLoadingMore(true);
    try {
      const page = await load(PAGE, cursor.endCursor);
      setOlder((o) => [...o, ...page.events]);
      setCursor({ hasNextPage: page.hasNextPage, endCursor: page.endCursor });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const events = mergeEvents(latest ?? [], older);
  const entries = groupActivity(events);
  return (
    <Stack gap="sm">
      {error && (
        <Alert color="red" title="Could not load the activity">
          {error}
        </Alert>
      )}
      {latest && events.length === 0 && <Text c="dimmed">No activity yet.</Text>}
      {events.length > 0 && (
        <Paper withBorder p="md">
          {/* A feed holds articles only: the alert and "Load more" stay outside it. */}
          <Timeline bulletSize={12} lineWidth={2} role="feed" aria-label={label} aria-busy={loadingMore}>
            {entries.map((entry, i) => (
              <Timeline.Item
                key={entry.event.id}
                data-testid="activity-item"
                role="article"
                aria-label={entry.text}
                aria-posinset={i + 1}
                aria-setsize={cursor?.hasNextPage ? -1 : entries.length}
              >
                <ActivityEntryView entry={entry} />
              </Timeline.Item>
            ))}
          </Timeline>
        </Paper>
      )}
      {cursor?.hasNextPage && (
        <Group>
          <Button variant="default" size="xs" loading={loadingMore} onClick={() => void loadMore()}>
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** One entry: its sentence, the reason given (a comment), and a list to expand (files). */
export function ActivityEntryView({ entry }: { entry: ActivityEntry<FeedEvent> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Text size="sm">{entry.text}</Text>
      {entry.comment && (
        <Text
          size="sm"
          c="dimmed"
          lineClamp={4}
          style={{ whiteSpace: "pre-wrap", borderLeft: "2px solid var(--mantine-color-gray-4)", paddingLeft: 8 }}
          data-testid="activity-comment"
        >
          {entry.comment}
        </Text>
      )}
      {entry.details && (
        <>
          <Anchor component="button" type="button" size="xs" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
            {open ? `Hide ${entry.details.label}` : `Show ${entry.details.label}`}
          </Anchor>
          <Collapse expanded={open}>
            <List size="xs" spacing={2} data-testid="activity-details">
              {entry.details.items.map((item, i) => (
                <List.Item key={`${i}:${item}`}>
                  <Text span size="xs" ff="monospace">
                    {item}
                  </Text>
                </List.Item>
              ))}
            </List>
          </Collapse>
        </>
      )}
      <Text size="xs" c="dimmed">
        {formatDate(entry.event.createdAt)}
      </Text>
    </>
  );
}
