import { Text } from "@mantine/core";

/** Messages that concern no particular field, shown above a form's buttons. */
export function ErrorLines({ messages }: { messages: readonly string[] }) {
  return (
    <>
      {messages.map((m) => (
        <Text key={m} c="red" size="sm" role="alert">
          {m}
        </Text>
      ))}
    </>
  );
}
