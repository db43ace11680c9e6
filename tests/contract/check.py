#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# check.py - hold what linode-fake-api recorded (GET /__fake/requests: each request with its
# headers, query and body, and the answer's status, headers and body, secrets redacted) to an
# excerpt of Linode's OpenAPI spec (tests/contract/linode-openapi-*.yaml), with JSON Schema
# validation by python3-jsonschema. Prints one line per check: "PASS what" or "FAIL what: why".
#
#   check.py EXCERPT answers LOG.json           every answer: status, headers, body
#   check.py EXCERPT client LOG.json UA         the same, and every request as our client must send it
#   check.py EXCERPT selftest                   wrong bodies, requests and statuses are rejected
# EXCERPT may be SCHEMAS:PROSE, the operations of one excerpt and the prose rules of another.
#
# OpenAPI 3.0 schemas are not quite JSON Schema; schema() converts them, and only so:
#  - a $ref ("#/components/...") is replaced by what it points to (its siblings are ignored, as
#    OpenAPI 3.0 says);
#  - nullable: true adds null to the type;
#  - readOnly properties must not be sent in a request, writeOnly ones not be answered;
#  - OpenAPI's own keywords (nullable, readOnly, writeOnly, discriminator, example, xml,
#    externalDocs, deprecated) and x-* extensions are dropped; the rest is JSON Schema draft 4,
#    which OpenAPI 3.0's schema object extends;
#  - formats: date-time is RFC 3339's, except that the zone may be left out (the spec's own
#    examples, and every time the API writes, are "2018-01-01T00:01:01": UTC); oauth-scope(s) is
#    "*" or service:level items separated by single spaces (the scopes' description: "Multiple
#    scopes are separated by a space character"); other formats are not checked.
# The rules the spec states in prose (info.description) are read from the excerpt too: the status
# table, the paginated lists' page and page_size, the per-class rate limits, the request methods.
import json
import re
import sys

import jsonschema
import yaml

DROP = {"nullable", "readOnly", "writeOnly", "discriminator", "example", "xml", "externalDocs", "deprecated",
        "description", "summary"}
NEVER = {"not": {}}  # draft 4 has no "false" schema
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
SCOPE_ITEM = r"[a-z_]+:(read_only|read_write)"
SCOPES = re.compile(r"^(\*|%s( %s)*)$" % (SCOPE_ITEM, SCOPE_ITEM))


def checker():
    fc = jsonschema.FormatChecker(formats=())

    @fc.checks("date-time")
    def date_time(v):
        if not isinstance(v, str):
            return True
        m = DATE_TIME.match(v)
        if not m:
            return False
        mo, d, h, mi, s = int(v[5:7]), int(v[8:10]), int(v[11:13]), int(v[14:16]), int(v[17:19])
        return 1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 61

    @fc.checks("oauth-scope")
    @fc.checks("oauth-scopes")
    def scopes(v):
        return not isinstance(v, str) or bool(SCOPES.match(v))

    return fc


class Spec:
    def __init__(self, path):
        # "SCHEMAS:PROSE": the operations of one excerpt, the prose rules of another (since 4.189
        # the info block only links to the documentation)
        path, _, prose = path.partition(":")
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.text = self.doc["info"]["description"]
        if prose:
            with open(prose, encoding="utf-8") as f:
                self.text = yaml.safe_load(f)["info"]["description"]
        self.version = self.doc["info"]["version"]
        self.fc = checker()
        # path templates, with or without /{apiVersion}
        self.ops = []
        for key, item in self.doc["paths"].items():
            tail = key[len("/{apiVersion}"):] if key.startswith("/{apiVersion}") else key
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(tail)) + "$"
            self.ops.append((re.compile(rx), key, item))

    def resolve(self, ref):
        node = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def schema(self, s, direction, depth=0):
        """OpenAPI 3.0 schema object -> JSON Schema (draft 4), for a request or a response."""
        assert depth < 64, "a $ref cycle"
        if isinstance(s, list):
            return [self.schema(x, direction, depth + 1) for x in s]
        if not isinstance(s, dict):
            return s
        if "$ref" in s:
            return self.schema(self.resolve(s["$ref"]), direction, depth + 1)
        out = {}
        for k, v in s.items():
            if k in DROP or k.startswith("x-"):
                continue
            if k == "properties":
                props = {}
                for name, p in v.items():
                    p = self.resolve(p["$ref"]) if "$ref" in p else p
                    hidden = p.get("readOnly") if direction == "request" else p.get("writeOnly")
                    props[name] = NEVER if hidden else self.schema(p, direction, depth + 1)
                out[k] = props
            elif k in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
                out[k] = self.schema(v, direction, depth + 1)
            else:
                out[k] = v
        if s.get("nullable"):
            t = out.get("type")
            if isinstance(t, str):
                out["type"] = [t, "null"]
            if "enum" in out:
                out["enum"] = out["enum"] + [None]
        return out

    def validate(self, s, value, direction):
        v = jsonschema.Draft4Validator(self.schema(s, direction), format_checker=self.fc)
        errs = sorted(v.iter_errors(value), key=lambda e: list(e.absolute_path))
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(body)", e.message[:200]) for e in errs]

    # ---- rules the spec states in prose ----
    def statuses(self):
        sect = self.text.split("Response Status Codes", 1)[1].split("###", 1)[0]
        return {int(m) for m in re.findall(r"^\|\s*(\d{3})\b", sect, re.M)}

    def methods(self):
        sect = self.text.split("The following request methods are supported", 1)[1].split("##", 1)[0]
        return set(re.findall(r"^\|\s*([A-Z]+)\s*\|", sect, re.M)) - {"METHOD"}

    def page_size(self):
        m = re.search(r"can be set to return between (\d+) and (\d+)", self.text)
        return int(m.group(1)), int(m.group(2))

    def class_limits(self):
        m = re.search(r"all commands have a rate limit of (\d+) requests per minute, and all GET commands that "
                      r"return paginated data collections have a rate limit of (\d+) requests per minute", self.text)
        return int(m.group(1)), int(m.group(2))

    def operation(self, method, path):
        """(path key, path item, operation or None) for a request path such as /v4/profile/tokens/7."""
        m = re.match(r"^/(v4|v4beta)(/.*)$", path)
        if not m:
            return None, None, None
        for rx, key, item in self.ops:
            hit = rx.match(m.group(2))
            if hit:
                op = item.get("get" if method == "HEAD" else method.lower())
                return key, item, op
        return None, None, None

    def paginated(self, op):
        s = op["responses"]["200"]["content"]["application/json"]["schema"] if op else {}
        s = self.resolve(s["$ref"]) if "$ref" in s else s
        return "data" in s.get("properties", {}) and "pages" in s.get("properties", {})

    def filterable(self, op):
        s = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["items"]
        s = self.resolve(s["$ref"]) if "$ref" in s else s
        return {k for k, p in s["properties"].items()
                if p.get("x-linode-filterable") or "__Filterable__" in p.get("description", "")}


def check_answer(spec, e, out):
    what = "%s %s -> %s" % (e["method"], e["path"], e.get("status"))
    r = e.get("response")
    if r is None:
        out.append(("PASS", what + ": no answer (a dropped connection), nothing to check", None))
        return
    key, item, op = spec.operation(e["method"], e["path"])
    status, h, body = r["status"], r["headers"], r["body"]
    why = []
    if status not in spec.statuses():
        why.append("status %d is not in the spec's status table" % status)
    if body is not None and not str(h.get("Content-Type", "")).startswith("application/json"):
        why.append("Content-Type %r, not application/json" % h.get("Content-Type"))
    # X-RateLimit-*: every answer, the operation's class limit
    commands, lists = spec.class_limits()
    try:
        lim, rem, reset = int(h["X-RateLimit-Limit"]), int(h["X-RateLimit-Remaining"]), int(h["X-RateLimit-Reset"])
        want = lists if e["method"] in ("GET", "HEAD") and spec.paginated(op) else commands
        if lim != want and not e.get("limit_overridden"):
            why.append("X-RateLimit-Limit %d, but this operation's class allows %d a minute" % (lim, want))
        if not 0 <= rem <= lim or reset < 1500000000:
            why.append("X-RateLimit-Remaining %d / Reset %d out of range" % (rem, reset))
    except (KeyError, ValueError) as x:
        why.append("X-RateLimit headers missing or not integers (%s)" % x)
    if status == 429 and not re.match(r"^\d+$", h.get("Retry-After", "")):
        why.append("a 429 without Retry-After in seconds")
    if "X-OAuth-Scopes" in h and h["X-OAuth-Scopes"] != "unknown" and not SCOPES.match(h["X-OAuth-Scopes"]):
        why.append("X-OAuth-Scopes %r is not a scope list" % h["X-OAuth-Scopes"])
    if e["method"] == "OPTIONS":
        allow = {m.strip() for m in h.get("Allow", "").split(",") if m.strip()}
        ops = {m.upper() for m in (item or {}) if m in ("get", "post", "put", "delete")}
        if status == 200 and (not allow or not allow <= spec.methods() or not ops <= allow):
            why.append("Allow %r: not the path's operations (%s) within the spec's methods" % (allow, ops))
    elif key is None:
        why.append("no such path in the spec")
    elif op is None:
        if status != 405:
            why.append("%s is not an operation of %s, yet answered %d" % (e["method"], key, status))
    else:
        resp = op["responses"].get(str(status))
        if resp is None and 200 <= status < 300:
            why.append("2xx status %d is not among the operation's responses" % status)
        resp = resp or op["responses"].get("default")
        resp = spec.resolve(resp["$ref"]) if "$ref" in resp else resp
        content = resp.get("content", {}).get("application/json")
        if content and body is not None:
            why += spec.validate(content["schema"], body, "response")
        elif content and e["method"] != "HEAD":
            why.append("no body, where the spec has one")
    out.append(("FAIL" if why else "PASS", what, "; ".join(why)))


def check_request(spec, e, ua, out):
    what = "client's %s %s" % (e["method"], e["path"])
    key, item, op = spec.operation(e["method"], e["path"])
    h, q, body = e["headers"], e["query"], e["body"]
    why = []
    if op is None:
        out.append(("FAIL", what, "not an operation of the spec"))
        return
    schemes = spec.doc["components"]["securitySchemes"]
    bearer = [n for n, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    if not any(n in req for req in op.get("security", []) for n in bearer):
        why.append("the operation takes no bearer token")
    if not re.match(r"^Bearer <redacted: \d+ characters>$", h.get("Authorization", "")):
        why.append("Authorization %r is not a Bearer token" % h.get("Authorization"))
    if h.get("User-Agent") != ua:
        why.append("User-Agent %r, not %r" % (h.get("User-Agent"), ua))
    if h.get("Accept") != "application/json":
        why.append("Accept %r: every answer is JSON" % h.get("Accept"))
    rb = op.get("requestBody")
    if body is not None:
        if not rb:
            why.append("a body, where the operation takes none")
        elif h.get("Content-Type") != "application/json" or "application/json" not in rb["content"]:
            why.append("Content-Type %r" % h.get("Content-Type"))
        else:
            why += ["request " + w for w in spec.validate(rb["content"]["application/json"]["schema"], body, "request")]
    elif rb and rb.get("required"):
        why.append("no body, where the spec requires one")
    # the query: the operation's own parameters, and page/page_size on a paginated list
    params = {p["name"]: p for p in (item.get("parameters", []) + op.get("parameters", []))
              if "$ref" not in p and p.get("in") == "query"}
    lo, hi = spec.page_size()
    for name, v in q.items():
        if name in ("page", "page_size") and spec.paginated(op):
            ok = re.match(r"^[0-9]+$", v or "") and (int(v) >= 1 if name == "page" else lo <= int(v) <= hi)
            if not ok:
                why.append("query %s=%r outside the spec's pagination rules" % (name, v))
        elif name in params:
            why += ["query " + w for w in spec.validate(params[name]["schema"], v, "request")]
        else:
            why.append("query %s is no parameter of the operation" % name)
    if "X-Filter" in h:
        try:
            f = json.loads(h["X-Filter"])
            bad = [k for k in f if k not in spec.filterable(op) | {"+and", "+or", "+order_by", "+order"}] \
                if isinstance(f, dict) and spec.paginated(op) else ["(not an object on a list)"]
            if bad:
                why.append("X-Filter on fields the spec does not mark filterable: %s" % bad)
        except ValueError:
            why.append("X-Filter is not JSON")
    out.append(("FAIL" if why else "PASS", what, "; ".join(why)))


def selftest(spec, out):
    """The checks must be able to fail: each wrong thing here must be caught."""
    tok = {"id": 1, "label": "a", "scopes": "*", "created": "2018-01-01T00:01:01", "expiry": "2018-01-01T13:46:32",
           "token": "abcdefghijklmnop"}
    ok_list = {"data": [tok], "page": 1, "pages": 1, "results": 1}
    ua = "linode-token/0"
    hdr = {"Content-Type": "application/json", "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "1",
           "X-RateLimit-Reset": "1700000000"}

    def answer(method, path, status, body, headers=None):
        return {"method": method, "path": path, "status": status,
                "response": {"status": status, "headers": dict(headers or hdr), "body": body}}

    def request(method, path, body, query=None, headers=None):
        h = {"Authorization": "Bearer <redacted: 64 characters>", "User-Agent": ua, "Accept": "application/json"}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        return {"method": method, "path": path, "headers": h, "query": query or {}, "body": body}

    cmd = dict(hdr, **{"X-RateLimit-Limit": "400"})
    good = [
        ("a list page", answer("GET", "/v4/profile/tokens", 200, ok_list), None),
        ("a token", answer("GET", "/v4/profile/tokens/1", 200, tok, cmd), None),
        ("an error", answer("POST", "/v4/profile/tokens", 400, {"errors": [{"reason": "x", "field": "label"}]}, cmd),
         None),
        ("the spec's own create example", None, request("POST", "/v4/profile/tokens",
                                                        {"scopes": "*", "expiry": "2018-01-01T13:46:32",
                                                         "label": "linode-cli"})),
        ("an expiry with an offset", None, request("POST", "/v4/profile/tokens",
                                                   {"label": "a", "expiry": "2030-01-01T00:00:00+02:00"})),
    ]
    bad = [
        ("a token whose id is a string", answer("GET", "/v4/profile/tokens/1", 200, dict(tok, id="1"), cmd), None),
        ("a list whose page is a string", answer("GET", "/v4/profile/tokens", 200, dict(ok_list, page="1")), None),
        ("an error whose reason is a number", answer("GET", "/v4/profile", 401, {"errors": [{"reason": 5}]}, cmd),
         None),
        ("a token with an expiry that is no date", answer("GET", "/v4/profile/tokens/1", 200,
                                                          dict(tok, expiry="next week"), cmd), None),
        ("status 418", answer("GET", "/v4/profile", 418, {"errors": [{"reason": "teapot"}]}, cmd), None),
        ("a 2xx the operation does not have", answer("POST", "/v4/profile/tokens", 201, tok, cmd), None),
        ("a list's limit of 400 (lists are 200)", answer("GET", "/v4/profile/tokens", 200, ok_list, cmd), None),
        ("an answer without X-RateLimit-*", answer("GET", "/v4/profile/tokens/1", 200, tok,
                                                   {"Content-Type": "application/json"}), None),
        ("a 101-character label", None, request("POST", "/v4/profile/tokens", {"label": "x" * 101})),
        ("an empty label", None, request("POST", "/v4/profile/tokens", {"label": ""})),
        ("comma-separated scopes", None, request("POST", "/v4/profile/tokens",
                                                 {"label": "a", "scopes": "linodes:read_only,domains:read_only"})),
        ("an expiry that is no date", None, request("POST", "/v4/profile/tokens", {"label": "a", "expiry": "1h"})),
        ("a rename that sends scopes (read-only)", None, request("PUT", "/v4/profile/tokens/1",
                                                                 {"label": "a", "scopes": "*"})),
        ("page_size 10", None, request("GET", "/v4/profile/tokens", None, {"page_size": "10"})),
        ("a User-Agent that is not ours", None, request("GET", "/v4/profile", None, None, {"User-Agent": "curl/8"})),
        ("a body without Content-Type", None, request("POST", "/v4/profile/tokens", {"label": "a"},
                                                      None, {"Content-Type": "text/plain"})),
        ("an X-Filter on a field not filterable", None, request("GET", "/v4/profile/tokens", None, None,
                                                                {"X-Filter": "{\"scopes\": \"*\"}"})),
    ]
    for expect, cases in (("PASS", good), ("FAIL", bad)):
        for name, ans, req in cases:
            res = []
            if ans:
                check_answer(spec, ans, res)
            if req:
                check_request(spec, req, ua, res)
            verdict, _, why = res[0]
            caught = verdict == expect
            word = "accepted" if expect == "PASS" else "rejected"
            out.append(("PASS" if caught else "FAIL", "selftest (%s): %s is %s" % (spec.version, name, word),
                        why if caught and why else ("" if caught else "verdict %s %s" % (verdict, why))))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__ if __doc__ else "usage: check.py EXCERPT answers|client|selftest [LOG] [UA]")
    spec = Spec(sys.argv[1])
    mode, out = sys.argv[2], []
    if mode == "selftest":
        selftest(spec, out)
    else:
        with open(sys.argv[3], encoding="utf-8") as f:
            log = json.load(f)
        for e in log:
            check_answer(spec, e, out)
            if mode == "client":
                check_request(spec, e, sys.argv[4], out)
    for verdict, what, why in out:
        print("%s %s%s" % (verdict, what, ": " + why if why and verdict == "FAIL" else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
