/**
 * Live pages: one event subscription per page, and every registry query on the page fetched
 * again when the subscription reports a change.
 *
 * A page calls `useLiveChannel(project, model?)`, which follows `modelEvents` (with a model) or
 * `projectEvents`, and provides the channel to its tree (`<LiveContext value={channel}>`). Its
 * queries use `useLiveQuery` instead of `useQuery`; other refreshes use `useOnLiveChange`. A
 * burst of events (an upload of many files, a transition that archives another version) makes
 * one refetch per `coalesceMs`. Identical queries re-executed in the same flush are merged by
 * urql's client, so each document is fetched once. When the websocket reconnects, the
 * subscription resumes after the last event received (`lib/resumable.ts`) and the page refetches
 * once; only when the subscription fails (an error from the server) does the page fall back to
 * a slow poll.
 *
 * The document cache is kept: a refetch replaces the displayed values, while editors keep their
 * own draft state (an open Markdown editor keeps its text).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { useClient, useQuery, type AnyVariables, type UseQueryArgs, type UseQueryResponse } from "urql";

import { LiveModelEventsSubscription, LiveProjectEventsSubscription } from "../../graphql/live";
import { onReconnect } from "../../lib/resumable";
import { usePolling } from "../usePolling";

/** Listeners of a page's changes. */
export interface LiveChannel {
  listen: (listener: () => void) => () => void;
}

export const LiveContext = createContext<LiveChannel | null>(null);

/** Events closer together than this make one refetch. */
export const COALESCE_MS = 200;
/** The refresh interval when the subscription has failed. */
export const FALLBACK_POLL_MS = 30_000;

/** Calls `flush` once for any number of `trigger`s within `ms` of the first. */
export function coalescer(flush: () => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    trigger() {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        flush();
      }, ms);
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function createChannel(): LiveChannel & { emit: () => void } {
  const listeners = new Set<() => void>();
  return {
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit() {
      for (const listener of [...listeners]) listener();
    },
  };
}

/**
 * Follows the events of a model (or, without one, of a project and all its models) and returns
 * the channel its listeners hear a change on. An empty `project` follows nothing.
 */
export function useLiveChannel(
  project: string,
  model?: string | null,
  { coalesceMs = COALESCE_MS, fallbackPollMs = FALLBACK_POLL_MS } = {},
): LiveChannel {
  const client = useClient();
  const channel = useMemo(() => createChannel(), []);
  // The subscription that failed (project and model), if any: its page polls instead.
  const [failedOn, setFailedOn] = useState<string | null>(null);
  const following = `${project}\n${model ?? ""}`;
  useEffect(() => {
    if (!project) return;
    const changes = coalescer(channel.emit, coalesceMs);
    const source = model
      ? client.subscription(LiveModelEventsSubscription, { projectPath: project, modelName: model, after: null })
      : client.subscription(LiveProjectEventsSubscription, { projectPath: project, after: null });
    const subscription = source.subscribe((result) => {
      if (result.error) setFailedOn(following);
      else if (result.data) changes.trigger();
    });
    const stopReconnects = onReconnect(changes.trigger);
    return () => {
      subscription.unsubscribe();
      stopReconnects();
      changes.cancel();
    };
  }, [client, channel, project, model, following, coalesceMs]);
  usePolling(channel.emit, fallbackPollMs, failedOn === following);
  return channel;
}

/** Calls `onChange` when the page's channel (from `LiveContext`, or the one given) reports a change. */
export function useOnLiveChange(onChange: () => void, channel?: LiveChannel | null) {
  const fromContext = useContext(LiveContext);
  const live = channel ?? fromContext;
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  });
  useEffect(() => live?.listen(() => latest.current()), [live]);
}

/** `useQuery`, fetched again from the network whenever the page's channel reports a change. */
export function useLiveQuery<Data = unknown, Variables extends AnyVariables = AnyVariables>(
  args: UseQueryArgs<Variables, Data>,
  channel?: LiveChannel | null,
): UseQueryResponse<Data, Variables> {
  const response = useQuery<Data, Variables>(args);
  const reexecute = response[1];
  const paused = useRef(args.pause);
  useEffect(() => {
    paused.current = args.pause;
  });
  const refetch = useCallback(() => {
    if (!paused.current) reexecute({ requestPolicy: "network-only" });
  }, [reexecute]);
  useOnLiveChange(refetch, channel);
  return response;
}
