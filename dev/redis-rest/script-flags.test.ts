import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createScriptFlagTranslator } from "./script-flags";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const FLAGGED = "#!lua flags=allow-key-locking\n  return redis.call('GET', KEYS[1])";
const STRIPPED = "#!lua\n  return redis.call('GET', KEYS[1])";

describe("Upstash-only shebang flags", () => {
  it("EVAL loses allow-key-locking and keeps the flags Redis knows", () => {
    const translator = createScriptFlagTranslator();
    expect(translator.translate({ name: "EVAL", args: ["EVAL", FLAGGED, "1", "k"] }).args).toEqual([
      "EVAL",
      STRIPPED,
      "1",
      "k",
    ]);
    const mixed = translator.translate({
      name: "EVAL",
      args: ["EVAL", "#!lua flags=no-writes,allow-key-locking\nreturn 1", "0"],
    });
    expect(mixed.args[1]).toBe("#!lua flags=no-writes\nreturn 1");
  });

  it("EVALSHA of a flagged script, once seen, is sent as the stored script’s hash; unknown hashes pass untouched", () => {
    const translator = createScriptFlagTranslator();
    expect(translator.translate({ name: "EVALSHA", args: ["EVALSHA", sha1(FLAGGED), "0"] }).args[1]).toBe(
      sha1(FLAGGED),
    );
    translator.translate({ name: "EVAL", args: ["EVAL", FLAGGED, "0"] });
    expect(translator.translate({ name: "EVALSHA", args: ["EVALSHA", sha1(FLAGGED), "0"] }).args[1]).toBe(
      sha1(STRIPPED),
    );
  });

  it("scripts without the flag, and other commands, are untouched", () => {
    const translator = createScriptFlagTranslator();
    const plain = { name: "EVAL", args: ["EVAL", "return 1", "0"] };
    expect(translator.translate(plain)).toEqual(plain);
    const get = { name: "GET", args: ["GET", "#!lua flags=allow-key-locking"] };
    expect(translator.translate(get)).toBe(get);
    expect(translator.translate({ name: "SCRIPT", args: ["SCRIPT", "LOAD", FLAGGED] }).args).toEqual([
      "SCRIPT",
      "LOAD",
      STRIPPED,
    ]);
  });
});
