import "@uiw/react-md-editor/markdown-editor.css";

import MDEditor, { type ICommand } from "@uiw/react-md-editor/nohighlight";
import rehypeSanitize from "rehype-sanitize";

import { rehypeNestHeadings } from "../lib/markdownHeadings";

// Model cards are user content: raw HTML is sanitised before it reaches the page. Their headings
// go one level under the page's h1, without the preview's empty anchor links.
const rehypePlugins = [[rehypeSanitize], [rehypeNestHeadings]] as const;

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

/** A toolbar button's icon is decoration (the button has its own label): hidden from screen readers. */
function hideIcon(command: ICommand): ICommand {
  if (!command.icon) return command;
  return {
    ...command,
    icon: (
      <span aria-hidden="true" style={{ display: "contents" }}>
        {command.icon}
      </span>
    ),
  };
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
        commandsFilter={hideIcon}
      />
    </div>
  );
}
