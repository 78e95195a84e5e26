import { ActionIcon, Box, Code, CopyButton, Tooltip } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

/** A block of code or a URI with a copy button in its corner. */
export function CopyCode({ code, label }: { code: string; label: string }) {
  return (
    <Box pos="relative">
      <Code block pr={40} style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }} aria-label={label}>
        {code}
      </Code>
      <CopyButton value={code} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? "Copied" : "Copy"} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? "teal" : "gray"}
              pos="absolute"
              top={6}
              right={6}
              onClick={copy}
              aria-label={`Copy ${label}`}
            >
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Box>
  );
}
