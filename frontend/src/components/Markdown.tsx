import { Skeleton, Text } from "@mantine/core";
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

/** The Markdown editor as a field of a form: its label above, the API's message for it below. */
export function MarkdownField({
  label,
  editorLabel = label,
  value,
  onChange,
  error,
}: {
  label: string;
  /** The editor's accessible name, when it should say more than the label. */
  editorLabel?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
}) {
  return (
    <div>
      <Text size="sm" fw={500} mb={4}>
        {label}
      </Text>
      <MarkdownEditor value={value} onChange={onChange} label={editorLabel} />
      {error && (
        <Text c="red" size="sm">
          {error}
        </Text>
      )}
    </div>
  );
}
