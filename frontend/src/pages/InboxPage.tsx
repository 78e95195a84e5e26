/**
 * The inbox (`/-/inbox`): pending transition requests across every project: those the viewer may
 * approve, and their own. Approve, reject (with a comment) and cancel work inline.
 */
import { Alert, Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import { useCallback, useState } from "react";
import { useClient, useQuery } from "urql";

import { PendingRequestList, type InboxRequest } from "../components/inbox/PendingRequestList";
import { RequireSignIn } from "../components/RequireSignIn";
import { Loading, QueryError } from "../components/States";
import { usePolling } from "../components/usePolling";
import { InboxQuery } from "../graphql/inbox";

const PAGE = 50;

type Section = "toApprove" | "ownRequests";

interface More {
  items: InboxRequest[];
  endCursor: string | null;
  hasNextPage: boolean;
}

function InboxSection({
  title,
  description,
  total,
  requests,
  hasMore,
  onMore,
  onChanged,
  empty,
  testId,
}: {
  title: string;
  description: string;
  total: number;
  requests: InboxRequest[];
  hasMore: boolean;
  onMore: () => void;
  onChanged: () => void;
  empty: string;
  testId: string;
}) {
  return (
    <Stack gap="xs" component="section" aria-label={title} data-testid={testId}>
      <Group gap="xs">
        <Title order={3}>{title}</Title>
        <Badge variant="light" color={total > 0 ? "orange" : "gray"}>
          {total}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed">
        {description}
      </Text>
      <PendingRequestList requests={requests} onChanged={onChanged} empty={empty} />
      {hasMore && (
        <Group>
          <Button variant="default" size="xs" onClick={onMore}>
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function Inbox() {
  const client = useClient();
  const [{ data, error, fetching }, refetch] = useQuery({ query: InboxQuery, variables: { first: PAGE } });
  const [more, setMore] = useState<Record<Section, More | null>>({ toApprove: null, ownRequests: null });
  const refresh = useCallback(() => {
    // Back to the first pages: a resolved request leaves, and the cursors after it still hold.
    setMore({ toApprove: null, ownRequests: null });
    refetch({ requestPolicy: "network-only" });
  }, [refetch]);
  usePolling(refresh, 30_000);

  if (error && !data) return <QueryError error={error} />;
  if (fetching && !data) return <Loading />;
  const inbox = data?.inbox;
  if (!inbox) return null;

  const section = (name: Section) => {
    const first = inbox[name];
    const extra = more[name];
    const items = [...first.edges.map((e) => e.node), ...(extra?.items ?? [])];
    const cursor = extra ?? { endCursor: first.pageInfo.endCursor ?? null, hasNextPage: first.pageInfo.hasNextPage };
    const loadMore = async () => {
      const variables =
        name === "toApprove" ? { first: PAGE, afterToApprove: cursor.endCursor } : { first: PAGE, afterOwn: cursor.endCursor };
      const result = await client.query(InboxQuery, variables, { requestPolicy: "network-only" }).toPromise();
      const page = result.data?.inbox[name];
      if (!page) return;
      setMore((m) => ({
        ...m,
        [name]: {
          items: [...(m[name]?.items ?? []), ...page.edges.map((e) => e.node)],
          endCursor: page.pageInfo.endCursor ?? null,
          hasNextPage: page.pageInfo.hasNextPage,
        },
      }));
    };
    return { total: first.totalCount, requests: items, hasMore: cursor.hasNextPage, onMore: () => void loadMore() };
  };

  return (
    <Stack gap="xl">
      <Title order={1}>Inbox</Title>
      {error && (
        <Alert color="red" title="Could not refresh the inbox">
          {error.message}
        </Alert>
      )}
      <InboxSection
        title="To approve"
        description="Requests in your projects that your role lets you approve: moves involving Production need a Maintainer, others a Developer."
        empty="Nothing waits on you."
        testId="inbox-to-approve"
        onChanged={refresh}
        {...section("toApprove")}
      />
      <InboxSection
        title="Your requests"
        description="Your own requests that are still pending."
        empty="You have no pending requests."
        testId="inbox-own"
        onChanged={refresh}
        {...section("ownRequests")}
      />
    </Stack>
  );
}

export default function InboxPage() {
  return (
    <RequireSignIn>
      <Inbox />
    </RequireSignIn>
  );
}
