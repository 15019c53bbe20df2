#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# bpfvlan.sh -- a BPF filter written for untagged frames rejects VLAN-tagged
# ones (BPF needs `vlan and ...`); tcpclose decodes the tags itself, so it
# says once, at the end, how many tagged frames the filter left out that it
# matches without the tag, and the expression that takes them.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
v=$CAP/synth_vlan.pcap    # 17 frames, all tagged: 11 IPv4 on VLAN 100, 6 IPv6 on VLAN 200
q=$CAP/synth_qinq.pcap    # two tags on every frame
d=$CAP/default.pcap       # untagged

conns() {
	grep -c '"type":"conn"' out
}

# The warning, once, with the count and the corrected expression.
run 0 -q -r "$v" --format json 'tcp port 80'
[ "$(conns)" -eq 0 ] || fail "'tcp port 80' should take no tagged frame"
contains err "left out 17 VLAN-tagged frames"
contains err "'tcp port 80 or (vlan and tcp port 80)'"
[ "$(grep -c 'VLAN-tagged' err)" -eq 1 ] || fail "the note is not printed once"

# The expression it suggests takes both connections and draws no note.
run 0 -q -r "$v" --format json 'tcp port 80 or (vlan and tcp port 80)'
[ "$(conns)" -eq 2 ] || fail "the suggested expression should take both connections"
lacks err "VLAN-tagged"

# The count is of the frames that would have matched: only the IPv4 ones.
run 0 -q -r "$v" --format json 'ip'
contains err "left out 11 VLAN-tagged frames"
contains err "'ip or (vlan and ip)'"

# An expression with operators is parenthesised.
run 0 -q -r "$v" --format json 'ip6 and tcp'
contains err "left out 6 VLAN-tagged frames"
contains err "'(ip6 and tcp) or (vlan and (ip6 and tcp))'"

# Two tags: the suggestion covers the inner one too, and it works.
run 0 -q -r "$q" --format json 'tcp port 80'
contains err "VLAN-tagged frames"
contains err "'tcp port 80 or (vlan and (tcp port 80 or (vlan and tcp port 80)))'"
run 0 -q -r "$q" --format json 'tcp port 80 or (vlan and (tcp port 80 or (vlan and tcp port 80)))'
[ "$(conns)" -ge 1 ] || fail "the QinQ suggestion takes nothing"
lacks err "VLAN-tagged"

# Nothing to say: no filter, a filter that names VLANs, untagged traffic,
# a filter that matches nothing either way.
run 0 -q -r "$v" --format json
lacks err "VLAN-tagged"
run 0 -q -r "$v" --format json 'vlan and tcp'
lacks err "VLAN-tagged"
run 0 -q -r "$d" --format json 'tcp port 80'
lacks err "VLAN-tagged"
run 0 -q -r "$v" --format json 'tcp port 9'
lacks err "VLAN-tagged"
exit 0
