#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# formats.sh -- --format csv and --format zeek parse as their readers parse
# them: RFC 4180 CSV with one header and constant column count; a Zeek TSV
# log whose every row has as many columns as #fields names, and whose every
# named column a zeek-cut (lib.sh: zcut) retrieves. JSON Lines stay valid.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
caps="$CAP/synth_vlan.pcap $CAP/synth_injected_rst.pcap $CAP/synth_midstream.pcap"
args=""
for c in $caps; do args="$args -r $c"; done

# ---- CSV
# shellcheck disable=SC2086
run 0 $args --format csv -o conns.csv
[ ! -s out ] || fail "csv with -o wrote to stdout"
head -1 conns.csv >hdr
contains hdr "id,first_ts,last_ts,client_ip,client_port,server_ip,server_port,opened,close,closer,reset_by,reset_phase,client_state,server_state,history,pkts_client,pkts_server,bytes_client,bytes_server"
contains hdr ",cause,cause_by,explain"
rows=$(($(wc -l <conns.csv) - 1))
[ "$rows" -eq 4 ] || fail "csv: $rows rows, expected 4"
# The explanation of an injected RST has commas: it must be quoted.
contains conns.csv ',injected,server,"the RST (frame 39) that claims to come from the server was most likely forged by a middlebox: its TTL is 57 where the'
# Quote-aware column count: every record has as many fields as the header.
awk -v FS= '
	{
		n = 1; q = 0
		for (i = 1; i <= length($0); i++) {
			ch = substr($0, i, 1)
			if (ch == "\"") q = !q
			else if (ch == "," && !q) n++
		}
		if (q) { print "unbalanced quotes on line " NR; exit 1 }
		if (NR == 1) want = n
		else if (n != want) { print "line " NR ": " n " fields, header has " want; exit 1 }
	}' conns.csv >awk.err || fail "csv: $(cat awk.err)"
if have python3; then
	python3 - conns.csv <<'PY' || fail "csv: python's csv reader disagrees"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 4, len(rows)
for r in rows:
    assert None not in r and None not in r.values(), r
inj = [r for r in rows if r["cause"] == "injected"][0]
assert inj["explain"].startswith("the RST (frame 39) that claims"), inj["explain"]
assert inj["closer"] == "" and inj["reset_by"] == "server", inj
assert [r["close"] for r in rows].count("graceful") == 2
PY
fi
# An embedded double quote is doubled (RFC 4180 2.7): an RST whose payload
# says: bye, "now"
if have python3; then
	python3 "$SRC/tests/cli/mkrst.py" rst.pcap || fail "mkrst.py"
	run 0 -r rst.pcap --format csv
	contains out '; the RST says ""bye, ""now"""""'
	python3 - out <<'PY' || fail "csv: quotes not read back"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1], newline="")))[0]
assert r["explain"].endswith('the RST says "bye, "now""'), r["explain"]
assert r["cause"] == "abortive_close", r
PY
else
	skip "no python3: embedded quotes not tested"
fi

# ---- Zeek
# shellcheck disable=SC2086
run 0 $args --format zeek
cp out conn.log
[ "$(sed -n 1p conn.log)" = '#separator \x09' ] || fail "zeek: first line"
printf '#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n' >want
sed -n 2,5p conn.log >got
cmp -s want got || fail "zeek: header lines 2-5"
grep -q '^#open	[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]$' conn.log ||
	fail "zeek: #open"
[ "$(tail -1 conn.log | cut -f1)" = "#close" ] || fail "zeek: #close is not the last line"
nf=$(awk -F '\t' '/^#fields\t/ { print NF - 1 }' conn.log)
nt=$(awk -F '\t' '/^#types\t/ { print NF - 1 }' conn.log)
[ "$nf" = "$nt" ] || fail "zeek: $nf fields but $nt types"
awk -F '\t' -v nf="$nf" '!/^#/ && NF != nf { print "row " NR " has " NF " columns"; bad = 1 }
	END { exit bad }' conn.log >awk.err || fail "zeek: $(cat awk.err)"
[ "$(grep -vc '^#' conn.log)" -eq 4 ] || fail "zeek: expected 4 rows"
# The standard conn.log columns, in Zeek's order, then ours.
std="ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents"
ours="tc_id tc_close tc_cause tc_closer tc_reset_by tc_reset_phase tc_client_state tc_server_state tc_trailing_rst_by tc_trailing_rst_cause tc_trailing_rst_frame tc_inferred tc_one_way"
[ "$(awk -F '\t' '/^#fields\t/ { $1 = ""; print substr($0, 2) }' OFS=' ' conn.log)" = "$std $ours" ] ||
	fail "zeek: #fields is not the conn.log layout"
# Every column retrievable by name, one non-empty value per row.
for col in $std $ours; do
	zcut "$col" <conn.log >col || fail "zeek-cut $col"
	[ "$(wc -l <col)" -eq 4 ] || fail "zeek-cut $col: not 4 values"
	grep -q '^$' col && fail "zeek-cut $col: an empty value (must be - or (empty))"
done
zcut id.orig_h id.resp_p conn_state tc_close tc_cause <conn.log >cut
printf '%s\t%s\t%s\t%s\t%s\n' 192.0.2.10 80 SF graceful - 192.0.2.10 443 RSTR reset injected \
	192.0.2.10 443 SF graceful - 2001:db8:1::10 80 RSTR reset abortive_close >want
cmp -s want cut || fail "zeek-cut values: $(cat cut)"
# uids: unique, Zeek-shaped.
zcut uid <conn.log | sort | uniq -d >dups
[ ! -s dups ] || fail "zeek: duplicate uid"
zcut uid <conn.log | grep -v '^C[0-9A-Za-z]\{12,\}$' && fail "zeek: uid shape"
if have zeek-cut; then
	zeek-cut uid conn_state tc_close <conn.log >real || fail "zeek-cut failed"
	[ "$(wc -l <real)" -eq 4 ] || fail "zeek-cut: not 4 rows"
fi
# The same run twice: the same file (uids and #open are deterministic).
# shellcheck disable=SC2086
run 0 $args --format zeek
cmp -s out conn.log || fail "zeek output differs between two runs"

# ---- JSON stays one object per line
# shellcheck disable=SC2086
run 0 $args --format json
if have jq; then
	jq -e . out >/dev/null || fail "json: not valid JSON Lines"
	[ "$(jq -r .type out | tail -1)" = summary ] || fail "json: summary is not last"
fi
# The close on the wall clock: the refused connection of default.pcap was
# answered by RST in frame 17; its time as an epoch number and as RFC 3339.
run 0 -r "$CAP/default.pcap" --format json --only refused
contains out '"frames":{"first":16,"last":17,"client_fin":null,"server_fin":null,"rst":17}'
contains out '"close_ts":{"client_fin":null,"server_fin":null,"rst":1795256895.576973227}'
contains out '"close_time":{"client_fin":null,"server_fin":null,"rst":"2026-11-21T10:28:15.576973227Z"}'
run 0 --format text -r "$CAP/synth_vlan.pcap"
contains out "tcpclose report:"
pass
