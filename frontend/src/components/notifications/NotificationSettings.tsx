import { Button, Group, Paper, Radio, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMemo, useState } from "react";
import { useMutation, useQuery } from "urql";

import type { NotificationLevel } from "../../gql/graphql";
import {
  NotificationSettingsQuery,
  SetEmailMutation,
  UpdateNotificationSettingsMutation,
} from "../../graphql/notifications";
import { ErrorLines } from "../ErrorLines";
import { SubmitForm } from "../FormModal";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { Loading, QueryError } from "../States";
import { useFormSubmit } from "../useFormSubmit";
import { LEVELS, levelLabel } from "./levels";

/**
 * The account page's Notifications tab: where mail goes, and the level for models without a
 * level of their own (each model page can choose another).
 */
export function NotificationSettings() {
  // The mutations answer a NotificationSettingsPayload, no Viewer: name it so they refresh this.
  const context = useMemo(() => ({ additionalTypenames: ["NotificationSettingsPayload"] }), []);
  const [{ data, fetching, error }] = useQuery({ query: NotificationSettingsQuery, context });
  const [{ fetching: saving }, setLevel] = useMutation(UpdateNotificationSettingsMutation);

  if (error) return <QueryError error={error} />;
  if (!data) return fetching ? <Loading /> : null;
  const level = data.viewer.notificationLevel ?? "PARTICIPATING";
  const saved = data.viewer.email ?? "";

  const chooseLevel = async (chosen: string) => {
    const result = await setLevel({ input: { level: chosen as NotificationLevel } });
    const errors = mutationErrors(result, (d) => d.updateNotificationSettings);
    if (errors.length) return notifyErrors(errors);
    notifyDone(`Default e-mail level: ${levelLabel(chosen as NotificationLevel)}.`);
  };

  return (
    <Stack maw={560}>
      <EmailForm key={saved} saved={saved} />
      <Paper withBorder p="md">
        <Stack>
          <Title order={4}>Default level</Title>
          <Text size="sm" c="dimmed">
            For models without a level of their own; choose another on a model's page.
          </Text>
          <Radio.Group value={level} onChange={(v) => void chooseLevel(v)} aria-label="Default e-mail level">
            <Stack gap="xs">
              {LEVELS.map((l) => (
                <Radio key={l.value} value={l.value} label={l.label} description={l.description} disabled={saving} />
              ))}
            </Stack>
          </Radio.Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

/** The address, starting from the saved one (a new saved address starts a new form). */
function EmailForm({ saved }: { saved: string }) {
  const [, setEmail] = useMutation(SetEmailMutation);
  const [email, setEmailValue] = useState(saved);
  const form = useFormSubmit(["email"]);

  const saveEmail = async () => {
    const send = async () => mutationErrors(await setEmail({ input: { email } }), (d) => d.setEmail);
    if (await form.submit(send)) notifyDone(email.trim() ? "E-mail address saved." : "E-mail address removed: no mail.");
  };

  return (
    <Paper withBorder p="md">
      <SubmitForm onSubmit={saveEmail}>
        <Stack>
          <Title order={4}>E-mail address</Title>
          <Text size="sm" c="dimmed">
            Where notification mail goes. Leave it empty to get none.
          </Text>
          <TextInput
            label="E-mail address"
            type="email"
            autoComplete="email"
            placeholder="ada@example.com"
            value={email}
            onChange={(e) => setEmailValue(e.currentTarget.value)}
            error={form.split.fields.email}
          />
          <ErrorLines messages={form.split.general} />
          <Group>
            <Button type="submit" loading={form.busy} disabled={email === saved}>
              Save address
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
    </Paper>
  );
}
