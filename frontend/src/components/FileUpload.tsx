import "@mantine/dropzone/styles.css";

import { Badge, Button, Group, Progress, Stack, Table, Text, TextInput } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { IconCloudUpload, IconUpload, IconX } from "@tabler/icons-react";
import { type InputHTMLAttributes, useEffect, useEffectEvent, useState } from "react";

import { folderProblem, formatBytes, MAX_FILE_SIZE, normalizeFolder, plural } from "../lib/files";
import { percent, summarize, type UploadItem } from "../lib/uploads";
import { useUploadQueue } from "./useUploadQueue";

export interface FileUploadProps {
  /**
   * REST base of the version's files (`versionApiBase(...)`); null while the version does not
   * exist yet: chosen files wait and go as soon as it is set.
   */
  target: string | null;
  /** Files larger than this are refused before anything is sent. */
  maxFileSize?: number;
  /** Every file that was sent has ended (uploaded, failed or cancelled). */
  onSettled?: (items: UploadItem[]) => void;
  /** How many files wait to be sent changed. */
  onQueuedChange?: (queued: number) => void;
  /** The list of files changed (added, sent, removed): the create form reads an attached MLmodel. */
  onItemsChange?: (items: readonly UploadItem[]) => void;
  /** No more files can be added (the form is busy). */
  disabled?: boolean;
}

/** A subfolder field, a drop zone, and one row per file with progress, Cancel and the outcome. */
export function FileUpload({
  target,
  maxFileSize = MAX_FILE_SIZE,
  onSettled,
  onQueuedChange,
  onItemsChange,
  disabled = false,
}: FileUploadProps) {
  const [folder, setFolder] = useState("");
  const queue = useUploadQueue({ target, maxFileSize, onSettled });
  const problem = folderProblem(folder);
  const items = queue.state.items;
  const summary = summarize(items);

  const queuedChanged = useEffectEvent((n: number) => onQueuedChange?.(n));
  useEffect(() => queuedChanged(summary.queued), [summary.queued]);
  const itemsChanged = useEffectEvent((list: readonly UploadItem[]) => onItemsChange?.(list));
  useEffect(() => itemsChanged(items), [items]);

  const clean = normalizeFolder(folder);
  return (
    <Stack gap="sm">
      <TextInput
        label="Subfolder"
        description="Optional folder for the files, such as config or weights/v2"
        placeholder="config"
        value={folder}
        onChange={(e) => setFolder(e.currentTarget.value)}
        error={problem}
        disabled={disabled}
        maw={420}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      />
      <Dropzone
        onDrop={(files) => queue.add(files, folder)}
        multiple
        disabled={disabled || problem !== null}
        inputProps={{ "data-testid": "file-input" } as InputHTMLAttributes<HTMLInputElement>}
        aria-label="Upload files"
        p="lg"
        style={disabled ? { opacity: 0.6, cursor: "not-allowed" } : undefined}
      >
        <Group justify="center" gap="lg" mih={72} style={{ pointerEvents: "none" }} wrap="nowrap">
          <Dropzone.Accept>
            <IconUpload size={40} stroke={1.5} color="var(--mantine-color-blue-6)" />
          </Dropzone.Accept>
          <Dropzone.Reject>
            <IconX size={40} stroke={1.5} color="var(--mantine-color-red-6)" />
          </Dropzone.Reject>
          <Dropzone.Idle>
            <IconCloudUpload size={40} stroke={1.5} color="var(--mantine-color-dimmed)" />
          </Dropzone.Idle>
          <div>
            <Text size="md" fw={500}>
              Drag files here or click to choose them
            </Text>
            <Text size="sm" c="dimmed">
              {clean ? (
                <>
                  Into <Text span ff="monospace" inherit>{clean}/</Text>
                </>
              ) : (
                "Into the top folder"
              )}{" "}
              · up to {formatBytes(maxFileSize)} per file · a file with the same path is replaced
            </Text>
          </div>
        </Group>
      </Dropzone>
      {items.length > 0 && (
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="sm" c="dimmed" aria-live="polite">
              {describe(summary, target === null)}
            </Text>
            {summary.done + summary.failed + summary.cancelled > 0 && (
              <Button size="compact-xs" variant="subtle" color="gray" onClick={queue.clearFinished}>
                Clear finished
              </Button>
            )}
          </Group>
          <Table aria-label="Uploads" verticalSpacing={6} layout="fixed">
            <Table.Tbody>
              {items.map((item) => (
                <UploadRow
                  key={item.id}
                  item={item}
                  waitingForVersion={target === null}
                  onCancel={() => queue.cancel(item.id)}
                  onRetry={() => queue.retry(item.id)}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Stack>
  );
}

function describe(summary: ReturnType<typeof summarize>, waitingForVersion: boolean): string {
  if (waitingForVersion) return `${plural(summary.queued, "file")} to upload once the version is created`;
  const parts: string[] = [];
  const left = summary.uploading + summary.queued;
  if (left > 0) parts.push(`uploading ${plural(left, "file")}`);
  if (summary.done) parts.push(`${summary.done} uploaded`);
  if (summary.failed) parts.push(`${summary.failed} failed`);
  if (summary.cancelled) parts.push(`${summary.cancelled} cancelled`);
  const text = parts.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function UploadRow({
  item,
  waitingForVersion,
  onCancel,
  onRetry,
}: {
  item: UploadItem;
  waitingForVersion: boolean;
  onCancel: () => void;
  onRetry: () => void;
}) {
  const active = item.status === "queued" || item.status === "uploading";
  return (
    <Table.Tr data-testid="upload-row" data-status={item.status}>
      <Table.Td>
        <Text size="sm" ff="monospace" truncate="end" title={item.path}>
          {item.path}
        </Text>
        {item.error && (
          <Text size="xs" c={item.status === "cancelled" ? "dimmed" : "red"}>
            {item.error}
          </Text>
        )}
      </Table.Td>
      <Table.Td w={90} ta="right">
        <Text size="sm" c="dimmed">
          {formatBytes(item.size)}
        </Text>
      </Table.Td>
      <Table.Td w={200}>
        {item.status === "uploading" ? (
          <Group gap="xs" wrap="nowrap">
            <Progress value={percent(item)} size="md" style={{ flex: 1 }} aria-label={`Upload of ${item.path}`} />
            <Text size="xs" c="dimmed" w={34} ta="right">
              {percent(item)}%
            </Text>
          </Group>
        ) : (
          <StatusBadge status={item.status} waitingForVersion={waitingForVersion} />
        )}
      </Table.Td>
      <Table.Td w={96} ta="right">
        {active && (
          <Button size="compact-xs" variant="default" onClick={onCancel} aria-label={`Cancel upload of ${item.path}`}>
            {item.status === "queued" && waitingForVersion ? "Remove" : "Cancel"}
          </Button>
        )}
        {(item.status === "failed" || item.status === "cancelled") && (
          <Button size="compact-xs" variant="light" onClick={onRetry} aria-label={`Retry upload of ${item.path}`}>
            Retry
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function StatusBadge({ status, waitingForVersion }: { status: UploadItem["status"]; waitingForVersion: boolean }) {
  const [color, label] = {
    queued: ["gray", waitingForVersion ? "Ready" : "Waiting"],
    uploading: ["blue", "Uploading"],
    done: ["green", "Uploaded"],
    failed: ["red", "Failed"],
    cancelled: ["gray", "Cancelled"],
    refused: ["red", "Too large"],
  }[status];
  return (
    <Badge color={color} variant="light" tt="none">
      {label}
    </Badge>
  );
}
