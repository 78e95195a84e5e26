import { Text } from "@mantine/core";
import type { ReactNode } from "react";

/** One labelled fact in a panel: a small dimmed caption above its value. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}
