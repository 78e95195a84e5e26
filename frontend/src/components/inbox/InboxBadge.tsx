/** The header's inbox link with the number of requests waiting on the viewer (signed in only). */
import { Anchor, Badge, Group } from "@mantine/core";
import { IconInbox } from "@tabler/icons-react";
import { useEffect } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";

import { InboxCountQuery } from "../../graphql/inbox";
import { onInboxChange } from "../../lib/inbox";
import { urls } from "../../urls";
import { usePolling } from "../usePolling";

export const INBOX_POLL_MS = 30_000;

export function InboxBadge() {
  const [{ data }, refetch] = useQuery({ query: InboxCountQuery, requestPolicy: "network-only" });
  const count = data?.inboxCount ?? 0;
  useEffect(() => {
    const again = () => refetch({ requestPolicy: "network-only" });
    window.addEventListener("focus", again);
    const stop = onInboxChange(again);
    return () => {
      window.removeEventListener("focus", again);
      stop();
    };
  }, [refetch]);
  usePolling(() => refetch({ requestPolicy: "network-only" }), INBOX_POLL_MS);
  const label = count === 1 ? "Inbox: 1 request to approve" : `Inbox: ${count} requests to approve`;
  return (
    <Anchor component={Link} to={urls.inbox()} aria-label={label} data-testid="inbox-link">
      <Group gap={4} wrap="nowrap">
        <IconInbox size={18} />
        Inbox
        {count > 0 && (
          <Badge size="sm" color="red" circle={count < 10} data-testid="inbox-count">
            {count}
          </Badge>
        )}
      </Group>
    </Anchor>
  );
}
