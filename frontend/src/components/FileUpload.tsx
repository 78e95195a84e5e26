import "@mantine/dropzone/styles.css";

import {
  Badge,
  Button,
  Code,
  Group,
  List,
  Modal,
  Progress,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { IconCloudUpload, IconFolderUp, IconUpload, IconX } from "@tabler/icons-react";
import { type InputHTMLAttributes, useEffect, useEffectEvent, useRef, useState } from "react";

import { folderProblem, formatBytes, MAX_FILE_SIZE, normalizeFolder, plural } from "../lib/files";
import {
  type ConflictChoice,
  findConflicts,
  hasConflicts,
  planUploads,
  type PlannedUpload,
  resolveConflicts,
  type UploadConflicts,
} from "../lib/folderUpload";
import { isActive, percent, summarize, type UploadItem } from "../lib/uploads";
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
  /** Paths the version already has: uploading to one of them asks first. */
  existingPaths?: readonly string[];
}

/** A batch that would overwrite files, waiting for the user's answer. */
interface PendingBatch {
  planned: PlannedUpload[];
  conflicts: UploadConflicts;
}

/** What `<input webkitdirectory>` needs; React's types do not know the attribute. */
const folderPickerProps = { webkitdirectory: "", directory: "" } as InputHTMLAttributes<HTMLInputElement>;

/** A subfolder field, a drop zone, and one row per file with progress, Cancel and the outcome. */
export function FileUpload({
  target,
  maxFileSize = MAX_FILE_SIZE,
  onSettled,
  onQueuedChange,
  onItemsChange,
  disabled = false,
  existingPaths = [],
}: FileUploadProps) {
  const [folder, setFolder] = useState("");
  const [pending, setPending] = useState<PendingBatch | null>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const queue = useUploadQueue({ target, maxFileSize, onSettled });
  const problem = folderProblem(folder);
  const items = queue.state.items;
  const summary = summarize(items);

  const queuedChanged = useEffectEvent((n: number) => onQueuedChange?.(n));
  useEffect(() => queuedChanged(summary.queued), [summary.queued]);
  const itemsChanged = useEffectEvent((list: readonly UploadItem[]) => onItemsChange?.(list));
  useEffect(() => itemsChanged(items), [items]);

  /** Files dropped or picked (folders keep their paths): sent at once, or asked about first. */
  const choose = (files: readonly File[]) => {
    const planned = planUploads(files, folder);
    if (planned.length === 0) return;
    // Paths the version has, and paths of this page's uploads waiting, on their way or done.
    const taken = new Set(existingPaths);
    for (const item of items) {
      if (item.status === "queued" || item.status === "uploading" || item.status === "done") taken.add(item.path);
    }
    const conflicts = findConflicts(planned, taken);
    if (hasConflicts(conflicts)) setPending({ planned, conflicts });
    else queue.add(planned);
  };
  const answer = (choice: ConflictChoice | null) => {
    if (pending && choice) {
      const send = resolveConflicts(pending.planned, pending.conflicts, choice);
      if (choice === "replace") {
        // An earlier upload to a replaced path that has not ended would race the new one: stop it.
        const replaced = new Set(send.map((p) => p.path));
        for (const item of items) {
          if (isActive(item) && replaced.has(item.path)) queue.cancel(item.id);
        }
      }
      if (send.length > 0) queue.add(send);
    }
    setPending(null);
  };

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
        onDrop={choose}
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
              Drag files or folders here, or click to choose files
            </Text>
            <Text size="sm" c="dimmed">
              {clean ? (
                <>
                  Into <Text span ff="monospace" inherit>{clean}/</Text>
                </>
              ) : (
                "Into the top folder"
              )}{" "}
              · folders keep their name and inner folders · up to {formatBytes(maxFileSize)} per file · you
              are asked before a file is replaced
            </Text>
          </div>
        </Group>
      </Dropzone>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconFolderUp size={16} />}
          disabled={disabled || problem !== null}
          onClick={() => folderInput.current?.click()}
        >
          Upload folder
        </Button>
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          {...folderPickerProps}
          data-testid="folder-input"
          aria-label="Upload folder"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            // Picking the same folder again must fire `change` again.
            e.currentTarget.value = "";
            choose(files);
          }}
        />
      </Group>
      <ConflictPrompt pending={pending} onAnswer={answer} />
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

/** "3 files would replace files: …" with Replace / Skip / Cancel; nothing is sent until answered. */
function ConflictPrompt({
  pending,
  onAnswer,
}: {
  pending: PendingBatch | null;
  onAnswer: (choice: ConflictChoice | null) => void;
}) {
  const existing = pending?.conflicts.existing ?? [];
  const duplicated = pending?.conflicts.duplicated ?? [];
  const count = new Set([...existing, ...duplicated]).size;
  return (
    <Modal
      opened={pending !== null}
      onClose={() => onAnswer(null)}
      title={`Replace ${plural(count, "file")}?`}
      size="lg"
    >
      <Stack gap="sm">
        {existing.length > 0 && (
          <div>
            <Text size="sm">
              {existing.length === 1 ? "This path is" : "These paths are"} already in the version (or being uploaded):
            </Text>
            <PathList paths={existing} label="Paths already in the version" />
          </div>
        )}
        {duplicated.length > 0 && (
          <div>
            <Text size="sm">More than one of the chosen files would go to:</Text>
            <PathList paths={duplicated} label="Paths chosen more than once" />
          </div>
        )}
        <Text size="sm" c="dimmed">
          Replace sends every file (of files sharing a path, the last one chosen). Skip sends only the
          other files. Cancel sends nothing.
        </Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={() => onAnswer(null)}>
            Cancel
          </Button>
          <Button variant="light" onClick={() => onAnswer("skip")}>
            Skip
          </Button>
          <Button color="red" onClick={() => onAnswer("replace")}>
            Replace
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PathList({ paths, label }: { paths: readonly string[]; label: string }) {
  return (
    <ScrollArea.Autosize mah={180} mt={4}>
      <List size="sm" aria-label={label} spacing={2}>
        {paths.map((path) => (
          <List.Item key={path}>
            <Code>{path}</Code>
          </List.Item>
        ))}
      </List>
    </ScrollArea.Autosize>
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
