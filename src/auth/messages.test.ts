import { describe, expect, it } from "vitest";
import { GENERIC_LOGIN_ERROR, credentialsError, limitedError, loginErrorText } from "./messages";

describe("login error text comes only from the fixed map", () => {
  it("authorize() throws codes, never the backend's text", () => {
    expect(credentialsError("missing")).toBe("CredentialsMissing");
    expect(credentialsError("rejected", "<script>alert(1)</script> call +1-555-SCAM")).toBe("CredentialsSignin");
    expect(credentialsError("unavailable")).toBe("SignInUnavailable");
  });

  it.each(["CredentialsMissing", "CredentialsSignin", "SignInUnavailable", "SessionExpired", "SessionRequired"])(
    "%s has its own text",
    (code) => {
      const text = loginErrorText(code);
      expect(text).toBeTruthy();
      expect(text).not.toBe(GENERIC_LOGIN_ERROR);
      expect(text).not.toContain(code);
    },
  );

  it.each([
    "<script>alert(1)</script>",
    "Your account is locked, call +1-555-0100",
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "OAuthSignin",
    "x".repeat(5000),
  ])("an unknown code %j gets the generic text, never itself", (code) => {
    expect(loginErrorText(code)).toBe(GENERIC_LOGIN_ERROR);
  });

  it("no code, no text", () => {
    expect(loginErrorText(undefined)).toBeNull();
    expect(loginErrorText("")).toBeNull();
  });

  it("a sign-in limit's code carries only the minutes, and shows the fixed sentence", () => {
    expect(limitedError(15)).toBe("TooManyAttempts:15");
    expect(limitedError(0.2)).toBe("TooManyAttempts:1");
    expect(loginErrorText(limitedError(15))).toBe("Too many attempts; try again in 15 minutes.");
    expect(loginErrorText(limitedError(1))).toBe("Too many attempts; try again in 1 minute.");
  });

  it.each([
    "TooManyAttempts:",
    "TooManyAttempts:0",
    "TooManyAttempts:99999",
    "TooManyAttempts:15<script>",
    "TooManyAttempts:015",
    "TooManyAttempts:2000",
  ])("%j is not trusted: generic text", (code) => {
    expect(loginErrorText(code)).toBe(GENERIC_LOGIN_ERROR);
  });
});
