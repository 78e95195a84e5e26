import { Avatar, Box, Button, Menu, Text } from "@mantine/core";
import { IconBell, IconKey, IconLock, IconLogout } from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";

import { LogoutMutation } from "../graphql/account";
import { urls } from "../urls";
import { mutationErrors, notifyDone, notifyErrors } from "./mutations";
import { useSession, type ViewerUser } from "./Session";

function initials(user: ViewerUser): string {
  const source = user.displayName.trim() || user.username;
  const words = source.split(/[\s._-]+/).filter(Boolean);
  return ((words[0]?.[0] ?? "") + (words[1]?.[0] ?? "")).toUpperCase() || "?";
}

/** The signed-in user in the header: their tokens, password, notifications, and signing out. */
export function UserMenu({ user }: { user: ViewerUser }) {
  const { restart } = useSession();
  const navigate = useNavigate();
  const [, logout] = useMutation(LogoutMutation);

  const signOut = async () => {
    const errors = mutationErrors(await logout({}), (d) => d.logout);
    if (errors.length) return notifyErrors(errors);
    // Leave first: the page shown may be one only the signed-in user could see.
    navigate(urls.projects());
    await restart();
    notifyDone("Signed out.");
  };

  return (
    <Menu position="bottom-end" withArrow shadow="md" width={220}>
      <Menu.Target>
        <Button
          variant="subtle"
          color="gray"
          size="xs"
          leftSection={
            <Avatar size={22} radius="xl" color="blue">
              {initials(user)}
            </Avatar>
          }
          aria-label={`Account menu of ${user.username}`}
          data-testid="user-menu"
        >
          {/* On a phone the avatar alone: the name would push the header off the screen. */}
          <Box component="span" visibleFrom="sm">
            {user.displayName || user.username}
          </Box>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          Signed in as{" "}
          <Text span size="xs" fw={700} ff="monospace">
            {user.username}
          </Text>
          {user.isAdmin ? " (administrator)" : ""}
        </Menu.Label>
        <Menu.Item component={Link} to={urls.accountTokens()} leftSection={<IconKey size={16} />}>
          Access tokens
        </Menu.Item>
        <Menu.Item component={Link} to={urls.accountPassword()} leftSection={<IconLock size={16} />}>
          Change password
        </Menu.Item>
        <Menu.Item component={Link} to={urls.accountNotifications()} leftSection={<IconBell size={16} />}>
          Notifications
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
