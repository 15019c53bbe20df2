#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# rec-tunnels.sh OUTDIR [KIND...] -- record one TCP connection through each
# kind of Linux tunnel device, captured on the underlay veth so that every
# frame carries the encapsulation: captures/tunnel_<kind>.pcap.
#
# Two network namespaces made here (tcr-a, tcr-b) are joined by a veth pair
# (underlay 10.99.0.1 - 10.99.0.2, fd99::1 - fd99::2); a tunnel device on
# each end carries 10.98.0.1 <-> 10.98.0.2 (and fd98::1 <-> fd98::2 for
# IPv6 payloads). A python3 client in tcr-a connects to a server in tcr-b
# through the tunnel, sends a request, reads the answer and closes first;
# the server closes after it. Traffic never leaves the namespaces; they
# are deleted at the end. Needs root, iproute2, tcpdump, python3.
#
# Kinds: vxlan vxlan8472 geneve gretap gre_key ip6gre ipip sit ip6ip6 ipip6
set -eu
OUT=${1:?usage: rec-tunnels.sh OUTDIR [KIND...]}
shift
KINDS=${*:-vxlan vxlan8472 geneve gretap gre_key ip6gre ipip sit ip6ip6 ipip6}
A=tcr-a
B=tcr-b

cleanup() {
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# tunnel KIND LOCAL REMOTE: the device "tun0" in the current namespace.
tunnel() {
	case $1 in
	vxlan) ip link add tun0 type vxlan id 42 local "$2" remote "$3" dstport 4789 ;;
	vxlan8472) ip link add tun0 type vxlan id 4242 local "$2" remote "$3" dstport 8472 ;;
	geneve) ip link add tun0 type geneve id 77 remote "$3" ;;
	gretap) ip link add tun0 type gretap local "$2" remote "$3" ;;
	gre_key) ip link add tun0 type gre local "$2" remote "$3" key 1234 csum seq ;;
	ip6gre) ip link add tun0 type ip6gre local "$2" remote "$3" ;;
	ipip) ip link add tun0 type ipip local "$2" remote "$3" ;;
	sit) ip link add tun0 type sit local "$2" remote "$3" ;;
	ip6ip6 | ipip6) ip link add tun0 type ip6tnl mode any local "$2" remote "$3" ;;
	esac
}

# Outer family, and the inner family of the connection, per kind.
outer6() { case $1 in ip6gre | ip6ip6 | ipip6) return 0 ;; esac; return 1; }
inner6() { case $1 in sit | ip6ip6) return 0 ;; esac; return 1; }

mkdir -p "$OUT"
for k in $KINDS; do
	cleanup
	ip netns add $A
	ip netns add $B
	ip link add ua netns $A type veth peer name ub netns $B
	for ns in $A $B; do
		ip -n $ns link set lo up
		# No IPv6 where the kind does not use it: no ND or MLD noise.
		if ! outer6 "$k" && ! inner6 "$k"; then
			ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
			ip netns exec $ns sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		fi
	done
	ip -n $A addr add 10.99.0.1/24 dev ua
	ip -n $B addr add 10.99.0.2/24 dev ub
	if outer6 "$k"; then
		ip -n $A addr add fd99::1/64 dev ua nodad
		ip -n $B addr add fd99::2/64 dev ub nodad
	fi
	ip -n $A link set ua up
	ip -n $B link set ub up
	if outer6 "$k"; then la=fd99::1 lb=fd99::2; else la=10.99.0.1 lb=10.99.0.2; fi
	fn=$(sed -n '/^tunnel() {/,/^}/p' "$0")
	if ! ip netns exec $A sh -c "$fn; tunnel $k $la $lb" ||
	   ! ip netns exec $B sh -c "$fn; tunnel $k $lb $la"; then
		echo "$k: this kernel cannot make the device, skipped" >&2
		continue
	fi
	ip -n $A addr add 10.98.0.1/24 dev tun0
	ip -n $B addr add 10.98.0.2/24 dev tun0
	if inner6 "$k"; then
		ip -n $A addr add fd98::1/64 dev tun0 nodad
		ip -n $B addr add fd98::2/64 dev tun0 nodad
	fi
	ip -n $A link set tun0 up
	ip -n $B link set tun0 up
	if inner6 "$k"; then sa=fd98::1 sb=fd98::2 fam=AF_INET6; else sa=10.98.0.1 sb=10.98.0.2 fam=AF_INET; fi

	ip netns exec $B python3 -c "
import socket
s = socket.socket(socket.$fam)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$sb', 8080)); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(10)
c.recv(100); c.sendall(b'HTTP/1.0 200 OK\r\n\r\nhello\n')
c.recv(100)   # the client's FIN
c.close()
" &
	srv=$!
	ip netns exec $A timeout 20 tcpdump -U -s 0 -i ua -w "$OUT/tunnel_$k.pcap" 2>/dev/null &
	cap=$!
	sleep 1.5
	ip netns exec $A python3 -c "
import socket, time
s = socket.socket(socket.$fam); s.settimeout(10)
for i in range(50):
    try:
        s.connect(('$sb', 8080)); break
    except OSError:
        time.sleep(0.1)
s.sendall(b'GET / HTTP/1.0\r\n\r\n'); s.recv(100)
s.close()
"
	wait $srv
	sleep 0.5
	kill $cap
	wait $cap 2>/dev/null || true
	echo "$k: $(tcpdump -r "$OUT/tunnel_$k.pcap" 2>/dev/null | wc -l) frames"
done
