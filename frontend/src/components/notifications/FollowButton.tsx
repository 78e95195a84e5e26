import { Button } from "@mantine/core";
import { IconBell, IconBellCheck } from "@tabler/icons-react";
import { useMutation, useQuery } from "urql";

import {
  FollowVersionMutation,
  UnfollowVersionMutation,
  VersionFollowingQuery,
} from "../../graphql/notifications";
import { mutationErrors, notifyErrors } from "../mutations";
import { useSession } from "../Session";

/**
 * Follow / Following on the version page: following a version mails its activity to a viewer
 * at the Participating level; clicking "Following" stops it. Not shown to anonymous viewers.
 */
export function FollowButton({ versionId }: { versionId: string }) {
  const { user } = useSession();
  const [{ data }] = useQuery({ query: VersionFollowingQuery, variables: { id: versionId }, pause: !user });
  const [follow, sendFollow] = useMutation(FollowVersionMutation);
  const [unfollow, sendUnfollow] = useMutation(UnfollowVersionMutation);
  if (!user || data?.node?.__typename !== "ModelVersion") return null;
  const following = data.node.viewerFollowing;
  const busy = follow.fetching || unfollow.fetching;

  const toggle = async () => {
    const input = { versionId };
    const errors = following
      ? mutationErrors(await sendUnfollow({ input }), (d) => d.unfollowVersion)
      : mutationErrors(await sendFollow({ input }), (d) => d.followVersion);
    if (errors.length) notifyErrors(errors);
  };

  return (
    <Button
      size="xs"
      variant={following ? "light" : "default"}
      leftSection={following ? <IconBellCheck size={14} /> : <IconBell size={14} />}
      loading={busy}
      aria-pressed={following}
      title={following ? "You get mail about this version. Click to stop." : "Get mail about this version"}
      onClick={() => void toggle()}
      data-testid="follow-version"
    >
      {following ? "Following" : "Follow"}
    </Button>
  );
}
