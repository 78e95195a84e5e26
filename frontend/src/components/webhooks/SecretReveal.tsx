import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";

import { CopyCode } from "../CopyCode";

/**
 * A webhook's new secret, shown this once (after creation or rotation): the registry keeps no way
 * to show it again, so the dialog says to copy it into the receiver's configuration now.
 */
export function SecretReveal({
  secret,
  rotated,
  previousValidUntil,
  onClose,
}: {
  secret: string;
  rotated: boolean;
  previousValidUntil?: string | null;
  onClose: () => void;
}) {
  return (
    <Modal opened onClose={onClose} title="The webhook's signing secret" size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      <Stack>
        <Alert color="yellow" variant="light" title="Copy it now: it is shown only once">
          The receiver uses it to verify the <code>webhook-signature</code> header of each delivery. You can
          rotate it later, but not see it again.
        </Alert>
        <CopyCode code={secret} label="webhook secret" />
        {rotated && (
          <Text size="sm" c="dimmed">
            {previousValidUntil
              ? `The previous secret keeps signing too until ${new Date(previousValidUntil).toLocaleString()}, so the receiver can switch without losing a delivery.`
              : "The previous secret no longer signs deliveries."}
          </Text>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose}>I have stored it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
