/** The aliases pointing at a version: add one, remove one. */
import { ActionIcon, Badge, Button, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconX } from "@tabler/icons-react";
import { useState } from "react";
import { useMutation } from "urql";

import { DeleteAliasMutation, SetAliasMutation } from "../../graphql/lifecycle";
import { permissionFor } from "../../lib/permissions";
import { SubmitForm } from "../FormModal";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { NotAllowedNote } from "../Permitted";
import { useFormSubmit } from "../useFormSubmit";
import type { LifecycleVersion } from "./types";

export function Aliases({ version, modelId, onChanged }: { version: LifecycleVersion; modelId: string; onChanged: () => void }) {
  const [value, setValue] = useState("");
  const form = useFormSubmit(["alias"]);
  const [, setAlias] = useMutation(SetAliasMutation);
  const [, deleteAlias] = useMutation(DeleteAliasMutation);
  const split = form.split;
  const manage = permissionFor(version.viewerPermissions, "MANAGE_ALIASES");
  const add = async () => {
    const alias = value.trim();
    const send = async () =>
      mutationErrors(await setAlias({ input: { versionId: version.id, alias } }), (d) => d.setAlias);
    if (await form.submit(send)) {
      setValue("");
      notifyDone(`Alias ${alias} now points at ${version.version}.`);
      onChanged();
    }
  };
  const remove = async (alias: string) => {
    const found = mutationErrors(await deleteAlias({ input: { modelId, alias } }), (d) => d.deleteAlias);
    if (found.length) notifyErrors(found);
    else notifyDone(`Alias ${alias} removed.`);
    onChanged();
  };
  return (
    <div>
      <Title order={5} mb="xs">
        Aliases
      </Title>
      <Stack gap="xs">
        <Group gap="xs" aria-label="Aliases">
          {version.aliases.length === 0 && (
            <Text size="sm" c="dimmed">
              No aliases point at this version.
            </Text>
          )}
          {version.aliases.map((a) => (
            <Badge
              key={a}
              variant="outline"
              tt="none"
              size="lg"
              rightSection={
                manage.allowed && (
                  <ActionIcon
                    size="xs"
                    variant="transparent"
                    aria-label={`Remove alias ${a}`}
                    onClick={() => void remove(a)}
                  >
                    <IconX size={12} />
                  </ActionIcon>
                )
              }
            >
              @{a}
            </Badge>
          ))}
        </Group>
        {manage.allowed ? (
          <SubmitForm onSubmit={add}>
            <Group align="flex-start" gap="xs">
              <TextInput
                aria-label="New alias"
                placeholder="champion"
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                error={split.fields.alias ?? split.general.join(" ")}
                w={260}
              />
              <Button type="submit" variant="light" loading={form.busy} disabled={!value.trim()}>
                Add alias
              </Button>
            </Group>
          </SubmitForm>
        ) : (
          <NotAllowedNote verdict={manage} />
        )}
      </Stack>
    </div>
  );
}
