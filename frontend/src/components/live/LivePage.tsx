import type { ReactNode } from "react";

import { LiveContext, useLiveChannel } from "./useLive";

/**
 * A live page: follows the model's events (or, without a model, the project's) and refreshes
 * every `useLiveQuery` and `useOnLiveChange` below it when something changes.
 */
export function LivePage({ project, model, children }: { project: string; model?: string; children: ReactNode }) {
  const channel = useLiveChannel(project, model);
  return <LiveContext value={channel}>{children}</LiveContext>;
}
