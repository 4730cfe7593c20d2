import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypeScript,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // The core is runtime-neutral: no Next, no Node built-ins (its own tsconfig enforces the types too).
    files: ["src/core/**/*.ts"],
    ignores: ["src/core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["next", "next/*", "node:*", "next-auth", "next-auth/*", "@/next/*", "@/auth/*"] }],
    },
  },
  {
    // A fixture app uses the library the way an existing app does: through its public entry point only.
    files: ["fixtures/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^@/(?!next/public$)", message: "Fixture apps import only @/next/public (MIGRATING.md)." }, { regex: "^\\.\\.?/.*(^|/)src/", message: "Fixture apps import only @/next/public and their own files." }] }],
    },
  },
  {
    // Tools and tests, not React: a function named use…() there is not a hook.
    files: ["dev/**", "test-support/**", "bench/**", "edge-tests/**", "integration/**", "e2e/**", "deploy-tests/**", "scripts/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  { ignores: [".next/**", ".next-*/**", ".vercel/**", "node_modules/**", "next-env.d.ts", "bench/results/**"] },
];

export default config;
