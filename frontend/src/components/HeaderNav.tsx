import { Anchor, Burger, Group, Menu } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconBraces, IconFolders } from "@tabler/icons-react";
import { Link } from "react-router";

import { urls } from "../urls";

// The header's site links: in a row from the `sm` breakpoint up, behind a menu button on phones,
// where the row would push the inbox and the account menu off the screen.

/** Projects and GraphiQL as links, shown from `sm` (576 px) up. */
export function HeaderLinks() {
  return (
    <Group gap="lg" visibleFrom="sm" wrap="nowrap">
      <Anchor component={Link} to={urls.projects()}>
        Projects
      </Anchor>
      <Anchor href={urls.graphiql()} target="_blank" rel="noreferrer">
        GraphiQL
      </Anchor>
    </Group>
  );
}

/** The same links in a menu opened by a burger button, below `sm` only. */
export function HeaderMenu() {
  const [opened, { toggle, close }] = useDisclosure(false);
  return (
    <Menu opened={opened} onChange={(o) => (o ? undefined : close())} position="bottom-end" shadow="md" width={200}>
      <Menu.Target>
        <Burger
          hiddenFrom="sm"
          size="sm"
          opened={opened}
          onClick={toggle}
          aria-label={opened ? "Close navigation" : "Open navigation"}
          data-testid="nav-burger"
        />
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component={Link} to={urls.projects()} leftSection={<IconFolders size={16} />}>
          Projects
        </Menu.Item>
        <Menu.Item
          component="a"
          href={urls.graphiql()}
          target="_blank"
          rel="noreferrer"
          leftSection={<IconBraces size={16} />}
        >
          GraphiQL
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
