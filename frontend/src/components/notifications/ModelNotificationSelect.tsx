import { Select } from "@mantine/core";
import { IconBell, IconBellOff } from "@tabler/icons-react";
import { useMutation, useQuery } from "urql";

import type { NotificationLevel } from "../../gql/graphql";
import { ModelNotificationLevelQuery, SetModelNotificationLevelMutation } from "../../graphql/notifications";
import { mutationErrors, notifyDone, notifyErrors } from "../mutations";
import { useSession } from "../Session";
import { LEVELS, levelLabel } from "./levels";

const DEFAULT = "DEFAULT";

/**
 * The model page's e-mail level for the viewer: Follow all, Participating, Muted, or their own
 * default. Not shown to anonymous viewers.
 */
export function ModelNotificationSelect({ modelId }: { modelId: string }) {
  const { user } = useSession();
  const [{ data }] = useQuery({ query: ModelNotificationLevelQuery, variables: { id: modelId }, pause: !user });
  const [{ fetching }, setLevel] = useMutation(SetModelNotificationLevelMutation);
  if (!user || !data) return null;
  const node = data.node?.__typename === "RegisteredModel" ? data.node : null;
  const current = node?.viewerNotificationLevel;
  if (!current) return null;
  const fallback = data.viewer.notificationLevel;
  const value = current.explicit ? current.level : DEFAULT;
  const options = [
    { value: DEFAULT, label: `Default (${levelLabel(fallback)})` },
    ...LEVELS.map(({ value: level, label }) => ({ value: level, label })),
  ];

  const change = async (chosen: string | null) => {
    if (!chosen || chosen === value) return;
    const level = chosen === DEFAULT ? null : (chosen as NotificationLevel);
    const result = await setLevel({ input: { modelId, level } });
    const errors = mutationErrors(result, (d) => d.setModelNotificationLevel);
    if (errors.length) return notifyErrors(errors);
    notifyDone(level === null ? "E-mail for this model follows your default." : `E-mail: ${levelLabel(level)}.`);
  };

  return (
    <Select
      aria-label="E-mail notifications for this model"
      size="xs"
      w={190}
      data={options}
      value={value}
      allowDeselect={false}
      disabled={fetching}
      leftSection={current.level === "MUTED" ? <IconBellOff size={14} /> : <IconBell size={14} />}
      onChange={(chosen) => void change(chosen)}
      data-testid="model-notification-level"
    />
  );
}
