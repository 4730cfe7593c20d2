/**
 * Client authentication alone: which header and body combinations authenticate which client, and how Basic
 * credentials are decoded (RFC 6749 §2.3.1 form-urlencodes the id and secret before base64).
 */

import { describe, expect, it } from "vitest";
import { authenticateClient, decodeBasic, formEncode } from "./client-auth";

const CLIENTS = [{ clientId: "app", clientSecret: "s3cret" }, { clientId: "spa" }];
const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;

describe("authenticateClient", () => {
  it.each([
    {
      case: "Basic",
      header: basic("app:s3cret"),
      body: {},
      expected: { kind: "authenticated", method: "client_secret_basic" },
    },
    {
      case: "lower-case scheme",
      header: `basic ${Buffer.from("app:s3cret").toString("base64")}`,
      body: {},
      expected: { kind: "authenticated" },
    },
    {
      case: "body secret",
      header: undefined,
      body: { client_id: "app", client_secret: "s3cret" },
      expected: { kind: "authenticated", method: "client_secret_post" },
    },
    {
      case: "public client_id",
      header: undefined,
      body: { client_id: "spa" },
      expected: { kind: "authenticated", method: "none" },
    },
    { case: "public client in Basic", header: basic("spa:"), body: {}, expected: { kind: "authenticated" } },
    {
      case: "a Bearer header is no client auth",
      header: "Bearer abc",
      body: { client_id: "spa" },
      expected: { kind: "authenticated", method: "none" },
    },
    { case: "wrong secret", header: basic("app:nope"), body: {}, expected: { kind: "invalid_client", basic: true } },
    {
      case: "secret of the right length, wrong bytes",
      header: undefined,
      body: { client_id: "app", client_secret: "s3creT" },
      expected: { kind: "invalid_client", basic: false },
    },
    {
      case: "confidential without secret",
      header: undefined,
      body: { client_id: "app" },
      expected: { kind: "invalid_client" },
    },
    {
      case: "public with a secret",
      header: undefined,
      body: { client_id: "spa", client_secret: "x" },
      expected: { kind: "invalid_client" },
    },
    {
      case: "secret without id",
      header: undefined,
      body: { client_secret: "s3cret" },
      expected: { kind: "invalid_client" },
    },
    { case: "nothing", header: undefined, body: {}, expected: { kind: "invalid_client", basic: false } },
    {
      case: "Basic and body secret",
      header: basic("app:s3cret"),
      body: { client_secret: "s3cret" },
      expected: { kind: "invalid_request" },
    },
    {
      case: "Basic and body id",
      header: basic("app:s3cret"),
      body: { client_id: "app" },
      expected: { kind: "invalid_request" },
    },
    {
      case: "empty body fields are absent",
      header: basic("app:s3cret"),
      body: { client_id: "", client_secret: "" },
      expected: { kind: "authenticated" },
    },
  ])("$case", ({ header, body, expected }) => {
    expect(authenticateClient(CLIENTS, header, body as Record<string, string>)).toMatchObject(expected);
  });
});

describe("decodeBasic", () => {
  it.each([
    { case: "plain", encoded: "app:s3cret", expected: { id: "app", secret: "s3cret" } },
    {
      case: "encoded colon and space",
      encoded: `${formEncode("a:b")}:${formEncode("x y")}`,
      expected: { id: "a:b", secret: "x y" },
    },
    { case: "plus is a space", encoded: "a+b:c%2Bd", expected: { id: "a b", secret: "c+d" } },
    { case: "percent-encoded UTF-8", encoded: "%C3%A9:%E2%82%AC", expected: { id: "é", secret: "€" } },
    { case: "no secret", encoded: "spa:", expected: { id: "spa", secret: undefined } },
    { case: "no colon", encoded: "app", expected: undefined },
    { case: "empty id", encoded: ":secret", expected: undefined },
    { case: "bad percent escape", encoded: "app:%zz", expected: undefined },
  ])("$case", ({ encoded, expected }) => {
    expect(decodeBasic(Buffer.from(encoded).toString("base64"))).toEqual(expected);
  });

  it("refuses text that is not base64", () => {
    expect(decodeBasic("not base64!")).toBeUndefined();
  });
});
