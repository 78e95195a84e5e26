/** The model page's notice of pending transition requests, with the actions the viewer may take. */
import { Alert } from "@mantine/core";
import { IconHourglass } from "@tabler/icons-react";

import { ModelPendingRequestsQuery } from "../../graphql/inbox";
import { useLiveQuery } from "../live/useLive";
import { PendingRequestList } from "./PendingRequestList";

export function ModelPendingRequests({ projectPath, modelName }: { projectPath: string; modelName: string }) {
  // Live: fetched again when the model page's event subscription reports a change.
  const [{ data }, refetch] = useLiveQuery({
    query: ModelPendingRequestsQuery,
    variables: { path: projectPath, name: modelName },
  });
  const again = () => refetch({ requestPolicy: "network-only" });
  const requests = data?.project?.model?.pendingRequests ?? [];
  if (requests.length === 0) return null;
  const title = `${requests.length} pending transition request${requests.length === 1 ? "" : "s"}`;
  return (
    <Alert color="orange" variant="light" icon={<IconHourglass size={18} />} title={title} data-testid="model-pending-requests">
      <PendingRequestList requests={requests} showProject={false} onChanged={again} />
    </Alert>
  );
}
