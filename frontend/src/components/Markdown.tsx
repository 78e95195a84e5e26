import { Skeleton } from "@mantine/core";
import { lazy, Suspense } from "react";

// The editor and renderer are a large chunk: loaded only on pages that show Markdown.
const View = lazy(() => import("./MarkdownImpl").then((m) => ({ default: m.MarkdownViewImpl })));
const Editor = lazy(() =>
  import("./MarkdownImpl").then((m) => ({ default: m.MarkdownEditorImpl })),
);

export function MarkdownView({ source }: { source: string }) {
  return (
    <Suspense fallback={<Skeleton height={80} />}>
      <View source={source} />
    </Suspense>
  );
}

export function MarkdownEditor(props: {
  value: string;
  onChange: (value: string) => void;
  label: string;
}) {
  return (
    <Suspense fallback={<Skeleton height={320} />}>
      <Editor {...props} />
    </Suspense>
  );
}
