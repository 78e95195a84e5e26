import { Badge, type BadgeProps } from "@mantine/core";

import { stageColor, stageLabel } from "../lib/activity";

export function StageBadge({ stage, ...props }: { stage: string } & BadgeProps) {
  return (
    <Badge color={stageColor(stage)} variant={stage === "NONE" ? "light" : "filled"} data-testid="stage-badge" {...props}>
      {stageLabel(stage)}
    </Badge>
  );
}
