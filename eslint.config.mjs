import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypeScript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // The core is runtime-neutral: no Next, no Node built-ins (its own tsconfig enforces the types too).
    files: ["packages/edge-session-refresh/src/core/**/*.ts"],
    ignores: ["packages/edge-session-refresh/src/core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(next|next-auth|react|redis)(/|$)|^node:|^@/|^(\\.\\./)+(next|client|testing)(/|$)",
              message: "The core is runtime-neutral: web APIs, jose and @upstash/redis only.",
            },
            {
              regex: "^\\.{1,2}(/\\.\\.)*(/index)?$",
              message:
                "Import the defining module by its path: the core's index is the package's public entry, not a way in.",
            },
          ],
        },
      ],
    },
  },
  {
    // Inside the package, modules import each other by path: src/core/index.ts is the public entry
    // (`edge-session-refresh`), never a way into the core, so what it exports stays a choice about users.
    files: ["packages/edge-session-refresh/src/**/*.{ts,tsx}"],
    ignores: ["packages/edge-session-refresh/src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\.\\./)+core(/index)?$",
              message:
                "Import the core module that defines the name (../core/session/codec), not the core's public index.",
            },
          ],
        },
      ],
    },
  },
  {
    // The demo app is a user of the package: it imports the library by its name, like any app.
    files: ["src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)packages/",
              message:
                "Import the library by its package name (edge-session-refresh, /next, /client, /testing), never a path into packages/.",
            },
            {
              regex: "^edge-session-refresh/(?!(next|client|testing)$)",
              message: "Only the package's entry points: edge-session-refresh, /next, /client, /testing.",
            },
            { regex: "^@/(core|next|testing)(/|$)", message: "The library is the edge-session-refresh package now." },
          ],
        },
      ],
    },
  },
  {
    // A fixture app uses the library the way an existing app does: through its public entry point only.
    files: ["fixtures/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "(^|/)packages/", message: "Fixture apps install the packed package and import it by name." },
            { regex: "^edge-session-refresh/(?!(next|client|testing)$)", message: "Only the package's entry points." },
          ],
        },
      ],
    },
  },
  {
    // The test boundary (docs/TESTING.md): outside packages/, the packages are used by their entry points,
    // as an app or a tool uses them, and so run as built. test-support/package-internals.ts is the one
    // documented door to their sources, for the few internals no entry point offers. src/ and fixtures/
    // have their own, stricter rule above.
    files: ["**/*.{ts,tsx,mts,cts,js,mjs,cjs}"],
    ignores: ["packages/**", "src/**", "fixtures/**", "test-support/package-internals.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)packages/",
              message:
                "Import the package by its entry point (edge-session-refresh, /next, /client, /testing, /stores, /stores/node, edge-session-refresh-loadtest); an internal no entry point offers goes through test-support/package-internals.ts.",
            },
            {
              regex:
                "^edge-session-refresh/(?!(next|client|testing|stores|stores/node|package\\.json)$)|^edge-session-refresh-loadtest/(?!package\\.json$)",
              message: "Only the packages' entry points (their exports maps).",
            },
          ],
        },
      ],
    },
  },
  {
    // The load-test package stands alone (it needs only Node): it never reaches into another package.
    files: ["packages/loadtest/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)packages/|^(\\.\\./)+edge-session-refresh(/|$)|^edge-session-refresh(/|$)",
              message: "edge-session-refresh-loadtest depends on no other package of this repository.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tools and tests, not React: a function named use…() there is not a hook.
    files: [
      "dev/**",
      "test-support/**",
      "bench/**",
      "edge-tests/**",
      "integration/**",
      "e2e/**",
      "deploy-tests/**",
      "scripts/**",
    ],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    ignores: [
      ".next/**",
      ".next-*/**",
      ".vercel/**",
      "node_modules/**",
      "packages/*/dist/**",
      "fixtures/*/node_modules/**",
      "fixtures/*/.next/**",
      "next-env.d.ts",
      "bench/results/**",
    ],
  },
];

export default config;
