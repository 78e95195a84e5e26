import { useEffect, useRef } from "react";
import { useSubscription } from "urql";

import { ModelEventsSubscription } from "../graphql/lifecycle";

/** Calls `onEvent` whenever the server reports a change of the model (GraphQL subscription). */
export function useLiveEvents(project: string, model: string, onEvent: () => void) {
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  const [{ data }] = useSubscription({
    query: ModelEventsSubscription,
    variables: { projectPath: project, modelName: model },
  });
  const eventId = data?.modelEvents.id;
  useEffect(() => {
    if (eventId !== undefined) latest.current();
  }, [eventId]);
}
