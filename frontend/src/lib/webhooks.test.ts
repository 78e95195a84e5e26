import { describe, expect, it } from "vitest";

import {
  coveredTopics,
  deliveryOutcome,
  hasCredentials,
  isInsecureUrl,
  parseEventId,
  prettyBody,
  topicSuggestions,
  unknownPatterns,
} from "./webhooks";

const TOPICS = ["model.created", "version.created", "version.stage_changed", "version.stage_changed.production"];

describe("webhook helpers", () => {
  it("warns of http:// and spots credentials", () => {
    expect(isInsecureUrl("http://hooks.example.com")).toBe(true);
    expect(isInsecureUrl(" HTTP://x")).toBe(true);
    expect(isInsecureUrl("https://hooks.example.com")).toBe(false);
    expect(hasCredentials("https://user:pw@hooks.example.com/x")).toBe(true);
    expect(hasCredentials("https://hooks.example.com/x?to=a@b.c")).toBe(false);
  });

  it("says a delivery's outcome in a few words", () => {
    expect(deliveryOutcome(null)).toBe("No deliveries yet");
    expect(deliveryOutcome({ status: "DELIVERED", lastStatusCode: 204 })).toBe("Delivered (204)");
    expect(deliveryOutcome({ status: "FAILED", lastStatusCode: null })).toBe("Failed");
    expect(deliveryOutcome({ status: "PENDING" })).toBe("Pending");
  });

  it("expands wildcards and catches patterns that match nothing", () => {
    expect(coveredTopics(["version.*"], TOPICS)).toEqual(TOPICS.slice(1));
    expect(coveredTopics(["*"], TOPICS)).toEqual(TOPICS);
    expect(coveredTopics(["model.created"], TOPICS)).toEqual(["model.created"]);
    expect(unknownPatterns(["version.creatd", "model.*", "Version.Created"], TOPICS)).toEqual(["version.creatd"]);
  });

  it("suggests every topic and a wildcard per prefix", () => {
    const found = topicSuggestions(TOPICS);
    expect(found.slice(0, 4)).toEqual(["*", "model.*", "version.*", "version.stage_changed.*"]);
    expect(found).toContain("version.stage_changed.production");
  });

  it("parses an event id", () => {
    expect(parseEventId(" 42 ")).toBe(42);
    expect(parseEventId("0")).toBeNull();
    expect(parseEventId("-3")).toBeNull();
    expect(parseEventId("1.5")).toBeNull();
    expect(parseEventId("")).toBeNull();
  });

  it("pretty-prints JSON bodies and leaves others alone", () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyBody("not json")).toBe("not json");
    expect(prettyBody(null)).toBe("");
  });
});
