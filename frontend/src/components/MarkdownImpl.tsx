import "@uiw/react-md-editor/markdown-editor.css";

import MDEditor from "@uiw/react-md-editor/nohighlight";
import rehypeSanitize from "rehype-sanitize";

// Model cards are user content: raw HTML is sanitised before it reaches the page.
const rehypePlugins = [[rehypeSanitize]] as const;

export function MarkdownViewImpl({ source }: { source: string }) {
  return (
    <div data-color-mode="light">
      <MDEditor.Markdown
        source={source}
        rehypePlugins={[...rehypePlugins] as never}
        style={{ background: "transparent" }}
      />
    </div>
  );
}

export function MarkdownEditorImpl({
  value,
  onChange,
  label,
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
}) {
  return (
    <div data-color-mode="light">
      <MDEditor
        value={value}
        onChange={(v) => onChange(v ?? "")}
        preview="live"
        height={320}
        textareaProps={{ "aria-label": label, placeholder: "Write Markdown…" }}
        previewOptions={{ rehypePlugins: [...rehypePlugins] as never }}
      />
    </div>
  );
}
