// Upstash-only Lua shebang flags, taken out before a script reaches a real Redis. Upstash accepts
// `#!lua flags=allow-key-locking` (lock only the script's keys instead of the whole database, as
// FIELD-NOTES.md says); Redis 7 refuses any flag it does not know ("ERR Unexpected flag in script
// shebang"). @upstash/ratelimit puts that flag on every script, so without this the bridge could not
// run it. Redis runs one script at a time anyway, so dropping the flag changes nothing here.
//
// The client calls EVALSHA with the SHA-1 of the script *with* the flag; Redis knows the script by the
// SHA-1 of what it was given. So each rewritten script's two hashes are remembered and EVALSHA is
// translated; a hash never seen here goes through untouched and gets NOSCRIPT, on which the client
// sends EVAL (the usual path). SCRIPT LOAD answers the stored (flag-less) script's hash.
import { createHash } from "node:crypto";
import type { BridgeCommand } from "./command";

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);
/** Scripts remembered at most: the app has a handful; a bound keeps a misbehaving caller from growing it. */
const MAX_REMEMBERED = 1000;

export interface ScriptFlagTranslator {
  translate(command: BridgeCommand): BridgeCommand;
}

export function createScriptFlagTranslator(): ScriptFlagTranslator {
  const storedSha = new Map<string, string>();

  function strip(script: string): string {
    const match = /^#!lua((?:[ \t]+[^\n]*)?)(\n|$)/.exec(script);
    if (!match) return script;
    const flagsPart = /(^|[ \t])flags=([^ \t\n]*)/.exec(match[1] ?? "");
    if (!flagsPart) return script;
    const flags = (flagsPart[2] ?? "").split(",").filter((flag) => flag !== "");
    const kept = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag));
    if (kept.length === flags.length) return script;
    const shebang = `#!lua${(match[1] ?? "").replace(flagsPart[0], kept.length > 0 ? `${flagsPart[1]}flags=${kept.join(",")}` : "")}`;
    const stripped = `${shebang}${match[2]}${script.slice(match[0].length)}`;
    if (storedSha.size >= MAX_REMEMBERED) storedSha.delete(storedSha.keys().next().value as string);
    storedSha.set(sha1(script), sha1(stripped));
    return stripped;
  }

  return {
    translate(command) {
      const { name, args } = command;
      if (name === "EVAL" && args[1] !== undefined)
        return { name, args: [args[0] as string, strip(args[1]), ...args.slice(2)] };
      if (name === "EVALSHA" && args[1] !== undefined) {
        const stored = storedSha.get(args[1].toLowerCase());
        return stored === undefined ? command : { name, args: [args[0] as string, stored, ...args.slice(2)] };
      }
      if (name === "SCRIPT" && args[1]?.toUpperCase() === "LOAD" && args[2] !== undefined)
        return { name, args: [...args.slice(0, 2), strip(args[2])] };
      return command;
    },
  };
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
