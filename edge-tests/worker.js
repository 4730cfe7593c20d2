"use strict";
var __assign = (this && this.__assign) || function () {
    __assign = Object.assign || function(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
            s = arguments[i];
            for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p))
                t[p] = s[p];
        }
        return t;
    };
    return __assign.apply(this, arguments);
};
var __awaiter = (this && this.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
var __generator = (this && this.__generator) || function (thisArg, body) {
    var _ = { label: 0, sent: function() { if (t[0] & 1) throw t[1]; return t[1]; }, trys: [], ops: [] }, f, y, t, g = Object.create((typeof Iterator === "function" ? Iterator : Object).prototype);
    return g.next = verb(0), g["throw"] = verb(1), g["return"] = verb(2), typeof Symbol === "function" && (g[Symbol.iterator] = function() { return this; }), g;
    function verb(n) { return function (v) { return step([n, v]); }; }
    function step(op) {
        if (f) throw new TypeError("Generator is already executing.");
        while (g && (g = 0, op[0] && (_ = 0)), _) try {
            if (f = 1, y && (t = op[0] & 2 ? y["return"] : op[0] ? y["throw"] || ((t = y["return"]) && t.call(y), 0) : y.next) && !(t = t.call(y, op[1])).done) return t;
            if (y = 0, t) op = [op[0] & 2, t.value];
            switch (op[0]) {
                case 0: case 1: t = op; break;
                case 4: _.label++; return { value: op[1], done: false };
                case 5: _.label++; y = op[1]; op = [0]; continue;
                case 7: op = _.ops.pop(); _.trys.pop(); continue;
                default:
                    if (!(t = _.trys, t = t.length > 0 && t[t.length - 1]) && (op[0] === 6 || op[0] === 2)) { _ = 0; continue; }
                    if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) { _.label = op[1]; break; }
                    if (op[0] === 6 && _.label < t[1]) { _.label = t[1]; t = op; break; }
                    if (t && _.label < t[2]) { _.label = t[2]; _.ops.push(op); break; }
                    if (t[2]) _.ops.pop();
                    _.trys.pop(); continue;
            }
            op = body.call(thisArg, _);
        } catch (e) { op = [6, e]; y = 0; } finally { f = t = 0; }
        if (op[0] & 5) throw op[1]; return { value: op[0] ? op[1] : void 0, done: true };
    }
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The core, run as a Cloudflare module worker under workerd, for edge-tests/. It imports nothing but
 * the built package's core entry (`edge-session-refresh`, as an app installs it) and uses nothing but web-standard APIs (the bundle refuses node: built-ins and
 * the worker runs without nodejs_compat), so passing here means the core runs on an edge runtime.
 *
 * Routes:
 *   any path not below  the middleware's decision: gate.check on the request's cookies → JSON
 *                       {outcome, isolate, refreshToken?}, Set-Cookie for the writes, Server-Timing.
 *   POST /decode        {cookie}: the session cookie header decoded with the core's codec → {claims}
 *   POST /encode        {claims, maxAgeSeconds?}: encoded with the core's codec → {cookies}
 *   GET  /isolate       {isolate, hits}: hits counts this isolate's /isolate requests (memory probe)
 *
 * `refreshToken` in the gate's answer is for tests only: the app must never show a refresh token.
 */
var edge_session_refresh_1 = require("edge-session-refresh");
// Per-isolate state. Workers forbid random values and I/O at global scope, so both are made on first use.
var isolateId;
var runtime;
var isolateHits = 0;
function isolate() {
    isolateId !== null && isolateId !== void 0 ? isolateId : (isolateId = crypto.randomUUID());
    return isolateId;
}
function sessionRuntime(bindings) {
    if (runtime === undefined) {
        var env = {};
        for (var _i = 0, SETTING_NAMES_1 = edge_session_refresh_1.SETTING_NAMES; _i < SETTING_NAMES_1.length; _i++) {
            var name_1 = SETTING_NAMES_1[_i];
            var value = bindings[name_1];
            if (typeof value === "string")
                env[name_1] = value;
        }
        runtime = (0, edge_session_refresh_1.createSessionRuntime)((0, edge_session_refresh_1.parseSettings)(env, { nodeEnv: "production" }));
    }
    return runtime;
}
var worker = {
    fetch: function (request, bindings) {
        return __awaiter(this, void 0, void 0, function () {
            var started, pathname, session, error_1, answer;
            return __generator(this, function (_a) {
                switch (_a.label) {
                    case 0:
                        started = performance.now();
                        _a.label = 1;
                    case 1:
                        _a.trys.push([1, 7, , 8]);
                        pathname = new URL(request.url).pathname;
                        if (pathname === "/isolate")
                            return [2 /*return*/, json({ isolate: isolate(), hits: ++isolateHits })];
                        session = sessionRuntime(bindings);
                        if (!(pathname === "/decode" && request.method === "POST")) return [3 /*break*/, 3];
                        return [4 /*yield*/, decode(session, request)];
                    case 2: return [2 /*return*/, _a.sent()];
                    case 3:
                        if (!(pathname === "/encode" && request.method === "POST")) return [3 /*break*/, 5];
                        return [4 /*yield*/, encode(session, request)];
                    case 4: return [2 /*return*/, _a.sent()];
                    case 5: return [4 /*yield*/, gate(session, request, started)];
                    case 6: return [2 /*return*/, _a.sent()];
                    case 7:
                        error_1 = _a.sent();
                        answer = {
                            error: error_1 instanceof Error ? error_1.name : "unknown",
                            code: (0, edge_session_refresh_1.isSessionError)(error_1) ? error_1.code : undefined,
                            message: error_1 instanceof Error ? error_1.message : String(error_1),
                            isolate: isolate(),
                        };
                        return [2 /*return*/, json(answer, { status: 500 })];
                    case 8: return [2 /*return*/];
                }
            });
        });
    },
};
exports.default = worker;
function gate(session, request, started) {
    return __awaiter(this, void 0, void 0, function () {
        var result, headers, status, answer, _i, _a, write, _b, _c, write;
        return __generator(this, function (_d) {
            switch (_d.label) {
                case 0: return [4 /*yield*/, session.gate.check((0, edge_session_refresh_1.parseCookieHeader)(request.headers.get("cookie")))];
                case 1:
                    result = _d.sent();
                    headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
                    status = 200;
                    answer = { outcome: result.outcome, isolate: isolate() };
                    switch (result.outcome) {
                        case "valid":
                            break;
                        case "refreshed":
                        case "joined":
                        case "replayed":
                            answer.refreshToken = result.claims.refreshToken;
                            for (_i = 0, _a = result.writes; _i < _a.length; _i++) {
                                write = _a[_i];
                                headers.append("set-cookie", (0, edge_session_refresh_1.serializeSetCookie)(write));
                            }
                            break;
                        case "anonymous":
                        case "rejected":
                            // Like the app's API routes: 401, with the unreadable or refused session cookies expired.
                            status = 401;
                            for (_b = 0, _c = result.writes; _b < _c.length; _b++) {
                                write = _c[_b];
                                headers.append("set-cookie", (0, edge_session_refresh_1.serializeSetCookie)(write));
                            }
                            break;
                        case "unavailable":
                            // Like the app: the session is kept (no cookie written), 503 with a retry hint.
                            status = 503;
                            answer.retryAfterSeconds = result.retryAfterSeconds;
                            headers.set("retry-after", String(result.retryAfterSeconds));
                            break;
                    }
                    // The same header the app's middleware writes (README.md, "Behaviour").
                    headers.append("server-timing", (0, edge_session_refresh_1.sessionServerTiming)(result.outcome, performance.now() - started));
                    return [2 /*return*/, new Response(JSON.stringify(answer), { status: status, headers: headers })];
            }
        });
    });
}
function decode(session, request) {
    return __awaiter(this, void 0, void 0, function () {
        var cookie, jwe, _a;
        var _b;
        return __generator(this, function (_c) {
            switch (_c.label) {
                case 0: return [4 /*yield*/, request.json()];
                case 1:
                    cookie = (_c.sent()).cookie;
                    jwe = (0, edge_session_refresh_1.joinSessionCookie)((0, edge_session_refresh_1.parseCookieHeader)(cookie), session.gate.cookieName);
                    _a = json;
                    _b = {};
                    return [4 /*yield*/, session.codec.decode(jwe)];
                case 2: return [2 /*return*/, _a.apply(void 0, [(_b.claims = _c.sent(), _b)])];
            }
        });
    });
}
function encode(session, request) {
    return __awaiter(this, void 0, void 0, function () {
        var _a, claims, maxAgeSeconds, jwe;
        return __generator(this, function (_b) {
            switch (_b.label) {
                case 0: return [4 /*yield*/, request.json()];
                case 1:
                    _a = (_b.sent()), claims = _a.claims, maxAgeSeconds = _a.maxAgeSeconds;
                    return [4 /*yield*/, session.codec.encode(claims, maxAgeSeconds)];
                case 2:
                    jwe = _b.sent();
                    return [2 /*return*/, json({ cookies: (0, edge_session_refresh_1.chunkSessionCookie)(session.gate.cookieName, jwe) })];
            }
        });
    });
}
function json(body, init) {
    if (init === void 0) { init = {}; }
    return new Response(JSON.stringify(body), __assign(__assign({}, init), { headers: __assign({ "content-type": "application/json", "cache-control": "no-store" }, init.headers) }));
}
