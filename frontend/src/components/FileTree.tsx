import { ActionIcon, Checkbox, Code, CopyButton, Group, Table, Text, Tooltip, VisuallyHidden } from "@mantine/core";
import {
  IconCheck,
  IconChevronDown,
  IconChevronRight,
  IconCopy,
  IconDownload,
  IconFile,
  IconFolder,
} from "@tabler/icons-react";
import { useMemo, useState } from "react";

import {
  buildFileTree,
  filePathsUnder,
  formatBytes,
  plural,
  shortSha,
  type TreeNode,
  visibleRows,
} from "../lib/files";
import { formatDate } from "./dates";

export interface ListedFile {
  path: string;
  size: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
  downloadUrl: string;
}

/**
 * A version's files as a folder tree: folders first and collapsible, a checkbox per file and per
 * folder (all files below it), size, shortened SHA-256 (full on hover, copy button) and download.
 */
export function FileTree({
  files,
  selected,
  onSelectedChange,
}: {
  files: readonly ListedFile[];
  selected: ReadonlySet<string>;
  onSelectedChange: (selected: Set<string>) => void;
}) {
  const root = useMemo(() => buildFileTree(files), [files]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = visibleRows(root, collapsed);
  const allPaths = filePathsUnder(root);

  const toggleFolder = (path: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  const setChecked = (paths: readonly string[], checked: boolean) => {
    const next = new Set(selected);
    for (const path of paths) {
      if (checked) next.add(path);
      else next.delete(path);
    }
    onSelectedChange(next);
  };

  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Files" highlightOnHover verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <SelectBox label="Select all files" paths={allPaths} selected={selected} onChange={setChecked} />
            </Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th w={100} ta="right">
              Size
            </Table.Th>
            <Table.Th w={170}>SHA-256</Table.Th>
            <Table.Th w={190}>Added</Table.Th>
            <Table.Th w={52}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ node, depth }) => (
            <Row
              key={`${node.kind}:${node.path}`}
              node={node}
              depth={depth}
              open={node.kind === "folder" && !collapsed.has(node.path)}
              selected={selected}
              onToggle={() => toggleFolder(node.path)}
              onCheck={setChecked}
            />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SelectBox({
  label,
  paths,
  selected,
  onChange,
}: {
  label: string;
  paths: readonly string[];
  selected: ReadonlySet<string>;
  onChange: (paths: readonly string[], checked: boolean) => void;
}) {
  const count = paths.filter((p) => selected.has(p)).length;
  const all = paths.length > 0 && count === paths.length;
  return (
    <Checkbox
      aria-label={label}
      checked={all}
      indeterminate={count > 0 && !all}
      disabled={paths.length === 0}
      onChange={() => onChange(paths, !all)}
    />
  );
}

function Row({
  node,
  depth,
  open,
  selected,
  onToggle,
  onCheck,
}: {
  node: TreeNode<ListedFile>;
  depth: number;
  open: boolean;
  selected: ReadonlySet<string>;
  onToggle: () => void;
  onCheck: (paths: readonly string[], checked: boolean) => void;
}) {
  const indent = { paddingLeft: `calc(${depth} * 1.5rem)` };
  if (node.kind === "folder") {
    return (
      <Table.Tr data-testid="folder-row" data-path={node.path}>
        <Table.Td>
          <SelectBox
            label={`Select folder ${node.path}`}
            paths={filePathsUnder(node)}
            selected={selected}
            onChange={onCheck}
          />
        </Table.Td>
        <Table.Td>
          <Group gap={6} wrap="nowrap" style={indent}>
            <ActionIcon
              variant="subtle"
              color="gray"
              size="sm"
              onClick={onToggle}
              aria-expanded={open}
              aria-label={`${open ? "Collapse" : "Expand"} folder ${node.path}`}
            >
              {open ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
            </ActionIcon>
            <IconFolder size={18} color="var(--mantine-color-yellow-7)" aria-hidden />
            <Text size="sm" fw={500} ff="monospace" style={{ cursor: "pointer" }} onClick={onToggle}>
              {node.name}/
            </Text>
            <Text size="xs" c="dimmed">
              {plural(node.fileCount, "file")}
            </Text>
          </Group>
        </Table.Td>
        <Table.Td ta="right">
          <Text size="sm" c="dimmed">
            {formatBytes(node.size)}
          </Text>
        </Table.Td>
        <Table.Td />
        <Table.Td />
        <Table.Td />
      </Table.Tr>
    );
  }
  const file = node.file;
  return (
    <Table.Tr data-testid="file-row" data-path={file.path}>
      <Table.Td>
        <Checkbox
          aria-label={`Select ${file.path}`}
          checked={selected.has(file.path)}
          onChange={(e) => onCheck([file.path], e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        {/* The chevron's width keeps file names aligned with folder names. */}
        <Group gap={6} wrap="nowrap" style={{ ...indent, marginLeft: 28 }}>
          <IconFile size={18} color="var(--mantine-color-dimmed)" aria-hidden />
          <Text size="sm" ff="monospace" title={file.path}>
            {node.name}
          </Text>
        </Group>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" title={`${file.size.toLocaleString("en")} bytes`}>
          {formatBytes(file.size)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Tooltip label={file.sha256} ff="monospace" fz="xs" withArrow>
            <Code aria-label={`SHA-256 ${file.sha256}`}>{shortSha(file.sha256)}</Code>
          </Tooltip>
          <CopyButton value={file.sha256} timeout={1500}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? "Copied" : "Copy SHA-256"} withArrow>
                <ActionIcon
                  variant="subtle"
                  color={copied ? "teal" : "gray"}
                  size="sm"
                  onClick={copy}
                  aria-label={`Copy SHA-256 of ${file.path}`}
                >
                  {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c="dimmed" title={`by ${file.createdBy}`}>
          {formatDate(file.createdAt)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label="Download" withArrow>
          <ActionIcon
            component="a"
            href={file.downloadUrl}
            download
            variant="subtle"
            aria-label={`Download ${file.path}`}
          >
            <IconDownload size={18} />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
}
