/** The models table's mark for a model with pending transition requests. */
import { Badge, Tooltip } from "@mantine/core";
import { Link } from "react-router";

import { urls } from "../../urls";

export function PendingBadge({ count, project, model }: { count: number; project: string; model: string }) {
  if (count <= 0) return null;
  const label = `${count} pending request${count === 1 ? "" : "s"}`;
  return (
    <Tooltip label="Transition requests waiting for approval">
      <Badge
        component={Link}
        to={urls.model(project, model)}
        size="sm"
        color="orange"
        variant="light"
        tt="none"
        ml="xs"
        style={{ cursor: "pointer" }}
        data-testid="pending-badge"
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
