import { Button, Group, Text } from "@mantine/core";

/** "N things" and Previous/Next over keyset cursors; the caller keeps the stack of cursors. */
export function CursorPager({
  total,
  noun,
  cursors,
  onChange,
  hasNextPage,
  endCursor,
}: {
  total: number;
  noun: string;
  cursors: (string | null)[];
  onChange: (cursors: (string | null)[]) => void;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
}) {
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed">
        {total} {noun}
        {total === 1 ? "" : "s"}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          disabled={cursors.length === 1}
          onClick={() => onChange(cursors.slice(0, -1))}
        >
          Previous
        </Button>
        <Button
          variant="default"
          size="xs"
          disabled={!hasNextPage}
          onClick={() => onChange([...cursors, endCursor ?? null])}
        >
          Next
        </Button>
      </Group>
    </Group>
  );
}
