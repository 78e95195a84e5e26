/** "Page x of y · N things" and numbered page buttons; the page lives in the caller's URL. */
import { Group, Pagination, Text } from "@mantine/core";

import { pageCount } from "../lib/glance";

const CONTROL_LABELS = { first: "First page", previous: "Previous page", next: "Next page", last: "Last page" } as const;

export function PageNumbers({
  page,
  total,
  size,
  noun,
  onChange,
}: {
  page: number;
  total: number;
  size: number;
  noun: string;
  onChange: (page: number) => void;
}) {
  const pages = pageCount(total, size);
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed" data-testid="page-position">
        Page {page} of {pages} · {total} {noun}
        {total === 1 ? "" : "s"}
      </Text>
      {pages > 1 && (
        <Pagination
          size="sm"
          total={pages}
          value={Math.min(page, pages)}
          onChange={onChange}
          withEdges={pages > 5}
          getControlProps={(control) => ({ "aria-label": CONTROL_LABELS[control] })}
          getItemProps={(p) => ({ "aria-label": `Page ${p}`, "aria-current": p === page ? "page" : undefined })}
        />
      )}
    </Group>
  );
}
