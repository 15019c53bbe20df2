#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# schema.sh BIN SRCDIR -- every JSON Lines record tcpclose writes for the
# corpus (captures/*, all of it and --only reset) validates against the
# JSON Schema of its type in docs/schema/, every type has a schema, and each
# RFC 3339 *_time string is the instant of the *_ts number beside it.
# Needs python3-jsonschema (77 otherwise).
. "$(dirname "$0")/lib.sh"

python3 -c 'import jsonschema' 2>/dev/null || { skip "no python3-jsonschema"; exit 77; }
for f in "$CAP"/*.pcap "$CAP"/*.pcapng; do
	[ -e "$f" ] || continue
	"$BIN" -q -r "$f" --format json >>"$TMP/all.jsonl" 2>/dev/null
	"$BIN" -q -r "$f" --format json --only reset >>"$TMP/all.jsonl" 2>/dev/null
done
[ -s "$TMP/all.jsonl" ] || fail "no JSON from the corpus"
python3 - "$SRC/docs/schema" "$TMP/all.jsonl" <<'PY' || fail "records do not match docs/schema"
import collections, datetime, json, os, sys
import jsonschema
sdir, path = sys.argv[1], sys.argv[2]
schemas = {}
for name in os.listdir(sdir):
    if name.endswith('.json'):
        s = json.load(open(os.path.join(sdir, name)))
        jsonschema.Draft7Validator.check_schema(s)
        schemas[name[:-5]] = jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker())
seen = collections.Counter()
bad = 0
for n, line in enumerate(open(path), 1):
    r = json.loads(line)
    t = r.get('type')
    seen[t] += 1
    if t not in schemas:
        print(f'line {n}: no schema for record type {t!r}'); bad += 1; continue
    for e in schemas[t].iter_errors(r):
        print(f'line {n} ({t}): {e.message} at {list(e.absolute_path)}'); bad += 1
    # "first_time" says the instant "first_ts" says, to the nanosecond.
    def check(o):
        global bad
        if isinstance(o, dict):
            for k, v in o.items():
                if k.endswith('_time') and isinstance(v, str):
                    ts = o[k[:-5] + '_ts']
                    d = datetime.datetime.strptime(v[:19], '%Y-%m-%dT%H:%M:%S')
                    secs = int(d.replace(tzinfo=datetime.timezone.utc).timestamp())
                    want = f'{secs}.{v[20:29]}'
                    got = json.dumps(ts) if isinstance(ts, int) else None
                    line_ts = line.split(f'"{k[:-5]}_ts":', 1)[1].split(',', 1)[0].split('}', 1)[0]
                    if line_ts != want:
                        print(f'line {n}: {k} {v} is not {k[:-5]}_ts {line_ts}'); bad += 1
                check(v)
        elif isinstance(o, list):
            for v in o: check(v)
    check(r)
for t in ('conn', 'summary', 'finding', 'finding_group', 'service', 'host', 'time_wait',
          'reset_timeline', 'selection'):
    if not seen[t]:
        print(f'the corpus gave no {t} record: the test would not check its schema'); bad += 1
print(dict(seen))
sys.exit(1 if bad else 0)
PY
exit 0
