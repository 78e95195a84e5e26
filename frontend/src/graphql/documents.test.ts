import type { DocumentNode, FieldNode, SelectionSetNode } from "graphql";
import { Kind, visit } from "graphql";
import { describe, expect, it } from "vitest";

import * as generated from "../gql/graphql";

/** Every operation document the web app sends, as codegen compiled it. */
function operations(): { name: string; document: DocumentNode }[] {
  return Object.entries(generated)
    .filter(([name, value]) => name.endsWith("Document") && typeof value === "object" && value !== null)
    .map(([name, value]) => ({ name, document: value as DocumentNode }))
    .filter(({ document }) => document.kind === Kind.DOCUMENT);
}

function errorsSelections(document: DocumentNode): SelectionSetNode[] {
  const found: SelectionSetNode[] = [];
  visit(document, {
    Field(node: FieldNode) {
      if (node.name.value === "errors" && node.selectionSet) found.push(node.selectionSet);
    },
  });
  return found;
}

describe("mutation documents", () => {
  const mutations = operations().filter(({ document }) =>
    document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation"),
  );

  it("are found", () => {
    expect(mutations.length).toBeGreaterThan(20);
  });

  it("each ask for their errors with the one UserErrorFields fragment", () => {
    for (const { name, document } of mutations) {
      const selections = errorsSelections(document);
      expect(selections.length, `${name} asks for no errors`).toBeGreaterThan(0);
      for (const selection of selections) {
        const spreads = selection.selections.map((s) => (s.kind === Kind.FRAGMENT_SPREAD ? s.name.value : s.kind));
        expect(spreads, `${name}'s errors`).toEqual(["UserErrorFields"]);
      }
    }
  });
});
