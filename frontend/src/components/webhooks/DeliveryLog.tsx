import { Badge, Button, Code, Collapse, Group, Paper, ScrollArea, SegmentedControl, Stack, Table, Text, TextInput, VisuallyHidden } from "@mantine/core";
import { useState } from "react";
import { useMutation, useQuery } from "urql";

import type { WebhookDeliveriesQuery as DeliveriesData, WebhookDeliveryStatus } from "../../gql/graphql";
import { RedeliverWebhookDeliveryMutation, ReplayEventsMutation, SendTestWebhookMutation, WebhookDeliveriesQuery } from "../../graphql/webhooks";
import { deliveryStatusColor, parseEventId, prettyBody } from "../../lib/webhooks";
import { formatDate } from "../dates";
import { ErrorLines } from "../ErrorLines";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { Loading, QueryError } from "../States";
import { usePolling } from "../usePolling";

const PAGE = 20;

type Delivery = NonNullable<
  Extract<NonNullable<DeliveriesData["node"]>, { __typename?: "Webhook" }>["deliveries"]
>["edges"][number]["node"];

/**
 * A webhook's delivery log, newest first: status, topic, event, attempts, last HTTP status and time;
 * each row opens to its attempts (status, duration, response excerpt) and the body sent. With
 * **Send test event**, **Redeliver** per delivery, and "Replay events from id".
 */
export function DeliveryLog({ webhookId, canSend }: { webhookId: string; canSend: boolean }) {
  const [status, setStatus] = useState<WebhookDeliveryStatus | "ALL">("ALL");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: WebhookDeliveriesQuery,
    variables: { id: webhookId, status: status === "ALL" ? null : status, first: PAGE, after: cursors[cursors.length - 1] },
    requestPolicy: "cache-and-network",
  });
  const refresh = () => refetch({ requestPolicy: "network-only" });
  usePolling(refresh, 3000);
  const [, sendTest] = useMutation(SendTestWebhookMutation);
  const [, redeliver] = useMutation(RedeliverWebhookDeliveryMutation);
  const [, replay] = useMutation(ReplayEventsMutation);
  const [fromId, setFromId] = useState("");
  const [replayErrors, setReplayErrors] = useState<string[]>([]);
  const [replayNote, setReplayNote] = useState("");

  const node = data?.node;
  const deliveries = node && node.__typename === "Webhook" ? node.deliveries : null;

  const test = async () => {
    const errors = mutationErrors(await sendTest({ input: { id: webhookId } }), (d) => d.sendTestWebhook);
    if (errors.length) notifyErrors(errors);
    else {
      notifyDone("Test event queued.");
      setCursors([null]);
      refresh();
    }
  };
  const again = async (delivery: Delivery) => {
    const errors = mutationErrors(await redeliver({ input: { id: delivery.id } }), (d) => d.redeliverWebhookDelivery);
    if (errors.length) notifyErrors(errors);
    else {
      notifyDone("Queued again, with a new webhook-id.");
      setCursors([null]);
      refresh();
    }
  };
  const doReplay = async () => {
    const from = parseEventId(fromId);
    if (from === null) {
      setReplayErrors(["Give the id of the first event to deliver again: a whole number from 1."]);
      return;
    }
    const result = await replay({ input: { webhookId, fromEventId: from } });
    const errors = mutationErrors(result, (d) => d.replayEvents);
    setReplayErrors(errors.map((e) => e.message));
    const payload = result.data?.replayEvents;
    setReplayNote("");
    if (errors.length === 0 && payload) {
      const note = payload.complete
        ? `Queued ${payload.count} deliveries.`
        : `Queued ${payload.count} deliveries; more events are left: replay again from ${(payload.lastEventId ?? from) + 1}.`;
      setReplayNote(note);
      notifyDone(note);
      setCursors([null]);
      refresh();
    }
  };

  return (
    <Stack data-testid="delivery-log">
      <Group justify="space-between">
        <SegmentedControl
          size="xs"
          value={status}
          onChange={(v) => {
            setStatus(v as WebhookDeliveryStatus | "ALL");
            setCursors([null]);
          }}
          data={[
            { value: "ALL", label: "All" },
            { value: "PENDING", label: "Pending" },
            { value: "DELIVERED", label: "Delivered" },
            { value: "FAILED", label: "Failed" },
          ]}
        />
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={refresh}>
            Refresh
          </Button>
          <Button size="xs" onClick={test} disabled={!canSend} title={canSend ? undefined : "Enable the webhook first."}>
            Send test event
          </Button>
        </Group>
      </Group>
      <Group align="flex-end" gap="xs">
        <TextInput
          size="xs"
          label="Replay events from id"
          description="Delivers again the project's events from this id on that the webhook wants (up to 1,000 at a time)."
          value={fromId}
          onChange={(e) => setFromId(e.currentTarget.value)}
          w={260}
        />
        <Button size="xs" variant="light" onClick={doReplay} disabled={!canSend}>
          Replay
        </Button>
      </Group>
      <ErrorLines messages={replayErrors} />
      {replayNote && (
        <Text size="sm" data-testid="replay-note">
          {replayNote}
        </Text>
      )}
      {error && <QueryError error={error} />}
      {fetching && !data && <Loading />}
      {deliveries && deliveries.edges.length === 0 && <Text c="dimmed">No deliveries yet.</Text>}
      {deliveries && deliveries.edges.length > 0 && (
        <ScrollArea>
          <Table verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Topic</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>HTTP</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Details</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {deliveries.edges.map(({ node: d }) => (
                <DeliveryRow key={d.id} delivery={d} onRedeliver={() => again(d)} canSend={canSend} />
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {deliveries && (cursors.length > 1 || deliveries.pageInfo.hasNextPage) && (
        <Group justify="flex-end" gap="xs">
          <Button size="xs" variant="default" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={!deliveries.pageInfo.hasNextPage}
            onClick={() => setCursors([...cursors, deliveries.pageInfo.endCursor ?? null])}
          >
            Older
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function DeliveryRow({ delivery: d, onRedeliver, canSend }: { delivery: Delivery; onRedeliver: () => void; canSend: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Table.Tr data-testid="delivery-row">
        <Table.Td>
          <Badge color={deliveryStatusColor(d.status)} variant="light" data-testid="delivery-status">
            {d.status}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Code>{d.topic}</Code>
          {d.requestedBy && (
            <Text size="xs" c="dimmed">
              by {d.requestedBy}
            </Text>
          )}
        </Table.Td>
        <Table.Td>{d.eventId ?? "—"}</Table.Td>
        <Table.Td>{d.attemptCount}</Table.Td>
        <Table.Td>{d.lastStatusCode ?? (d.lastError ? "error" : "—")}</Table.Td>
        <Table.Td>{formatDate(d.createdAt)}</Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            <Button size="compact-xs" variant="subtle" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
              {open ? "Hide" : "Details"}
            </Button>
            <Button size="compact-xs" variant="light" onClick={onRedeliver} disabled={!canSend}>
              Redeliver
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      <Table.Tr style={{ display: open ? undefined : "none" }}>
        <Table.Td colSpan={7}>
          <Collapse expanded={open}>
            <DeliveryDetails delivery={d} />
          </Collapse>
        </Table.Td>
      </Table.Tr>
    </>
  );
}

function DeliveryDetails({ delivery: d }: { delivery: Delivery }) {
  return (
    <Paper withBorder p="sm" data-testid="delivery-details">
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          webhook-id <Code>{d.messageId}</Code>
          {d.nextAttemptAt && d.status === "PENDING" && <> · next attempt {formatDate(d.nextAttemptAt)}</>}
        </Text>
        {d.lastError && (
          <Text size="sm" c="red">
            {d.lastError}
          </Text>
        )}
        {d.attempts.length === 0 ? (
          <Text size="sm" c="dimmed">
            Not attempted yet.
          </Text>
        ) : (
          <Table withTableBorder verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>HTTP</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Response</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.attempts.map((a) => (
                <Table.Tr key={a.attempt} data-testid="delivery-attempt">
                  <Table.Td>{a.attempt}</Table.Td>
                  <Table.Td>{formatDate(a.startedAt)}</Table.Td>
                  <Table.Td>{a.statusCode ?? "—"}</Table.Td>
                  <Table.Td>{a.durationMs} ms</Table.Td>
                  <Table.Td>
                    <Text size="xs" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                      {a.error || a.responseExcerpt || "—"}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Text size="xs" c="dimmed">
          Body sent
        </Text>
        {d.body ? (
          <Code block data-testid="delivery-body">
            {prettyBody(d.body)}
          </Code>
        ) : (
          <Text size="sm" c="dimmed">
            Fixed at the first attempt.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
