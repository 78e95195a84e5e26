import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents from the server's schema: `npm run codegen` after schema.graphql changes.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  generates: {
    "./src/gql/": {
      preset: "client",
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // BigInt (file sizes) arrives as a JSON number; sizes stay below 2^53.
        scalars: { DateTime: "string", BigInt: "number" },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
