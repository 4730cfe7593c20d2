/**
 * The backend protocols, by the name BACKEND_PROTOCOL takes. A new protocol is one file exporting a
 * BackendProtocolDefinition (protocol.ts) and one line here; the settings, SETTING_NAMES and the client
 * all read this table.
 */
import { JSON_PROTOCOL } from "./json-protocol";
import { OAUTH2_PROTOCOL } from "./oauth2-protocol";
import type { BackendProtocolDefinition } from "./protocol";

export const BACKEND_PROTOCOLS = {
  json: JSON_PROTOCOL,
  oauth2: OAUTH2_PROTOCOL,
} satisfies Record<string, BackendProtocolDefinition>;

/** How the backend is spoken to: the JSON bodies of docs/CONFIGURATION.md ("Every setting"), or an RFC 6749 token endpoint. */
export type BackendProtocol = keyof typeof BACKEND_PROTOCOLS;

export const BACKEND_PROTOCOL_NAMES = Object.freeze(Object.keys(BACKEND_PROTOCOLS) as BackendProtocol[]);

/** Every protocol's own settings together: BackendSettings carries them all, whichever protocol is chosen. */
export type ProtocolSettings = UnionToIntersection<ReturnType<(typeof BACKEND_PROTOCOLS)[BackendProtocol]["read"]>>;

type UnionToIntersection<U> = (U extends unknown ? (part: U) => void : never) extends (part: infer I) => void
  ? I
  : never;
