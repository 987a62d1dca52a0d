#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bridge networking end to end: busybox httpd in a container on port 80,
# published on a free host port of 127.0.0.1. The page comes through the
# published port, from the container's bridge address and, through mstat
# exec, from inside the container, and not from the host's own port 80. A
# 10 MiB download shows up in NET I/O and in the network metrics, equal to
# the host end of the veth pair with receive and transmit swapped. Bad -p
# values and a busy port fail with the port named; the veth pair goes at
# rm, the bridge when mstatd stops. All traffic stays on loopback and on a
# bridge and subnet that only this test uses.
. "$(dirname "$0")/lib.sh"

command -v busybox >/dev/null || skip "busybox (busybox-static) is not installed"

# A bridge name and a /24 that nothing on this machine uses.
BRIDGE="mstit$$"
BRIDGE=${BRIDGE:0:15}
SUBNET=
for _ in $(seq 1 20); do
	octet=$((RANDOM % 200 + 20))
	if ! grep -q "^10\.214\.$octet\." <(ip -4 -o addr 2>/dev/null | awk '{ print $4 }'); then
		SUBNET="10.214.$octet"
		break
	fi
done
[ -n "$SUBNET" ] || skip "no free 10.214.x.0/24 subnet for the test bridge"
[ ! -e "/sys/class/net/$BRIDGE" ] || skip "interface $BRIDGE already exists"

start_agent --bridge "$BRIDGE" --bridge-subnet "$SUBNET.0/24"

WWW="$T/www"
TOKEN="mstat-bridge-page-$$-$RANDOM"
mkdir -p "$WWW"
echo "$TOKEN" >"$WWW/index.html"
head -c 10485760 /dev/urandom >"$WWW/big.bin"
chmod -R a+rX "$WWW"

fetch() {
	curl -sS --max-time 20 "$@"
}

# Starts the web server on a random free host port; a port found busy is
# skipped, up to ten tries.
HOSTPORT=
for _ in $(seq 1 10); do
	try=$((RANDOM % 20000 + 30000))
	if out=$(mstat run -d --name web -p "127.0.0.1:$try:80" -- \
		busybox httpd -f -p 80 -h "$WWW" 2>&1); then
		HOSTPORT=$try
		break
	fi
	grep -q "Address already in use" <<<"$out" || fail "run -p failed: $out"
	mstat rm -f web >/dev/null 2>&1 || true
done
[ -n "$HOSTPORT" ] || fail "no free host port found in ten tries"
ip_addr=$(mstat inspect --format '{{.NetworkSettings.IPAddress}}' web)
host_if="mst$(mstat inspect --format '{{.Id}}' web | cut -c1-12)"
pass "web runs with address $ip_addr on $BRIDGE, host port $HOSTPORT, veth $host_if"

[[ "$ip_addr" == "$SUBNET".* ]] || fail "address $ip_addr is outside $SUBNET.0/24"
[ "$(mstat inspect --format '{{.NetworkSettings.Gateway}}' web)" = "$SUBNET.1" ] ||
	fail "gateway is not $SUBNET.1"
[ "$(mstat inspect --format '{{.HostConfig.NetworkMode}}' web)" = bridge ] ||
	fail "NetworkMode is not bridge, the default with -p"
mstat ps | grep -q "127.0.0.1:$HOSTPORT->80/tcp" ||
	fail "ps PORTS lacks 127.0.0.1:$HOSTPORT->80/tcp: $(mstat ps)"
[ -e "/sys/class/net/$host_if" ] || fail "no host end $host_if of the veth pair"
[ "$(basename "$(readlink "/sys/class/net/$host_if/master")")" = "$BRIDGE" ] ||
	fail "$host_if is not on bridge $BRIDGE"
pass "inspect, ps and the veth pair show the bridge setup"

# The server may need a moment to listen.
wait_for 10 fetch -o /dev/null "http://127.0.0.1:$HOSTPORT/" || fail "published port does not answer"
page=$(fetch "http://127.0.0.1:$HOSTPORT/")
[ "$page" = "$TOKEN" ] || fail "page through 127.0.0.1:$HOSTPORT is '$page'"
pass "curl 127.0.0.1:$HOSTPORT gets the container's page"

# The host's own port 80 is not the container's: refused, or some other
# server that the host runs.
if page80=$(fetch "http://127.0.0.1:80/" 2>/dev/null); then
	[[ "$page80" != *"$TOKEN"* ]] || fail "the container's page is served on the host's port 80"
fi
pass "the container's port 80 is not reachable on the host's 127.0.0.1:80"

page=$(fetch "http://$ip_addr:80/")
[ "$page" = "$TOKEN" ] || fail "page through the bridge address $ip_addr is '$page'"
page=$(mstat exec web -- busybox wget -q -O - http://127.0.0.1:80/)
[ "$page" = "$TOKEN" ] || fail "page from inside the container (mstat exec) is '$page'"
pass "the page comes from $ip_addr on the bridge and, through mstat exec, from inside"

short=$(mstat inspect --format '{{.Id}}' web | cut -c1-12)
mstat exec web -- cat /etc/hosts | grep -q "^$ip_addr[[:space:]]$short\$" ||
	fail "/etc/hosts of web lacks '$ip_addr $short': $(mstat exec web -- cat /etc/hosts)"
pass "/etc/hosts names the container's bridge address"

# Counters of the host end of the veth: its rx is the container's tx.
veth_counter() {
	cat "/sys/class/net/$host_if/statistics/$1"
}
metric_tx() {
	metric_value container_network_transmit_bytes_total 'name="web"' 'interface="eth0"'
}
has_tx_metric() {
	[ -n "$(metric_tx)" ]
}
wait_for 10 has_tx_metric || fail "no container_network_transmit_bytes_total for web"
tx_before=$(metric_tx)

size=$(fetch -o /dev/null -w '%{size_download}' "http://127.0.0.1:$HOSTPORT/big.bin")
[ "$size" = 10485760 ] || fail "downloaded $size bytes of big.bin, expected 10485760"

# Two collection passes later the metric has the download.
tx_grown() {
	[ "$(($(metric_tx) - tx_before))" -ge 10000000 ]
}
wait_for 10 tx_grown || fail "transmit bytes grew by $(($(metric_tx) - tx_before)) only"
# The snapshot read below is taken after the low and before the high
# reading of the veth counters: two passes of 0.5 s fit in the sleep.
low_rx=$(veth_counter rx_bytes)
low_tx=$(veth_counter tx_bytes)
sleep $((2 * ${MSTAT_TEST_TIME_SCALE:-1}))
tx=$(metric_tx)
rx=$(metric_value container_network_receive_bytes_total 'name="web"' 'interface="eth0"')
netio=$(mstat stats --no-stream --format '{{.NetIO}}' web)
high_rx=$(veth_counter rx_bytes)
high_tx=$(veth_counter tx_bytes)
echo "metrics: rx $rx tx $tx (before $tx_before); veth host end: rx $low_rx..$high_rx tx $low_tx..$high_tx; NET I/O $netio"

delta=$((tx - tx_before))
[ "$delta" -ge $((10485760 * 98 / 100)) ] && [ "$delta" -le $((10485760 * 102 / 100)) ] ||
	fail "transmit bytes grew by $delta for a 10485760-byte download (more than 2% off)"
pass "container_network_transmit_bytes_total grew by $delta for 10 MiB (within 2%)"

[ "$tx" -ge "$low_rx" ] && [ "$tx" -le "$high_rx" ] ||
	fail "transmit bytes $tx differ from the veth host end's rx $low_rx..$high_rx"
[ "$rx" -ge "$low_tx" ] && [ "$rx" -le "$high_tx" ] ||
	fail "receive bytes $rx differ from the veth host end's tx $low_tx..$high_tx"
pass "network metrics equal the veth host end's counters, rx and tx swapped"

# NET I/O is "RX / TX" in docker's decimal units with 3 significant digits.
to_bytes() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		m = (u == "kB") ? 1e3 : (u == "MB") ? 1e6 : (u == "GB") ? 1e9 : 1
		printf "%d\n", n * m }'
}
net_tx=$(to_bytes "${netio##*/ }")
[ "$net_tx" -ge $((10485760 * 98 / 100)) ] && [ "$net_tx" -le $((10485760 * 102 / 100 + 200000)) ] ||
	fail "NET I/O transmit is ${netio##*/ } ($net_tx bytes) after a 10 MiB download"
pass "NET I/O shows $netio"

# Bad -p values and a busy port fail with a message naming the value.
expect_error() {
	local want=$1 out
	shift
	if out=$(mstat run "$@" -- true 2>&1); then
		fail "mstat run $* succeeded"
	fi
	grep -qF -- "$want" <<<"$out" || fail "mstat run $*: '$out' lacks '$want'"
}
expect_error 'invalid value "80" for -p, --publish' -p 80
expect_error 'the host port must be a number from 1 to 65535' -p 70000:80
expect_error 'the protocol must be tcp or udp' -p 8080:80/sctp
expect_error 'the host address must be a numeric IPv4 address' -p localhost:8080:80
expect_error '-p, --publish needs --network bridge' --network host -p 127.0.0.1:8080:80
expect_error "publish host port 127.0.0.1:$HOSTPORT/tcp failed: Address already in use" \
	--name busy -p "127.0.0.1:$HOSTPORT:80"
mstat rm -f busy >/dev/null 2>&1 || true
pass "bad -p values and a busy port are rejected with the value named"

# The address stays with the container across a restart of mstatd.
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
AGENT_PID=
[ ! -e "/sys/class/net/$host_if" ] || fail "veth $host_if survived the container's exit"
[ ! -e "/sys/class/net/$BRIDGE" ] || fail "bridge $BRIDGE survived mstatd's exit"
pass "mstatd's shutdown removed the veth pair and the bridge it created"

start_agent --bridge "$BRIDGE" --bridge-subnet "$SUBNET.0/24"
mstat run -d --name second -p "127.0.0.1:$HOSTPORT:80" -- busybox httpd -f -p 80 -h "$WWW" >/dev/null
second_ip=$(mstat inspect --format '{{.NetworkSettings.IPAddress}}' second)
[ "$second_ip" != "$ip_addr" ] ||
	fail "second container got $ip_addr, which the stopped web container keeps"
wait_for 10 fetch -o /dev/null "http://127.0.0.1:$HOSTPORT/" || fail "second server does not answer"
pass "after a restart, web keeps $ip_addr and second gets $second_ip"

mstat rm -f second >/dev/null
[ ! -e "/sys/class/net/mst$(mstat inspect --format '{{.Id}}' web | cut -c1-12)" ] ||
	fail "a veth pair of web exists while it is stopped"
for f in /sys/class/net/mst*; do
	[ -e "$f" ] || continue
	[ "$(basename "$(readlink "$f/master")")" != "$BRIDGE" ] ||
		fail "veth $(basename "$f") is left on $BRIDGE after rm"
done
if fetch -o /dev/null "http://127.0.0.1:$HOSTPORT/" 2>/dev/null; then
	fail "host port $HOSTPORT still answers after rm"
fi
pass "rm removes the veth pair and closes the published port"

# Without a host address a port is bound on every IPv4 address and, where
# the host has IPv6, on every IPv6 address too, as docker binds it. Only the
# loopback addresses are fetched.
mstat run -d --name dual -p "$HOSTPORT:80" -- busybox httpd -f -p 80 -h "$WWW" >/dev/null
wait_for 10 fetch -o /dev/null "http://127.0.0.1:$HOSTPORT/" || fail "dual does not answer on 127.0.0.1"
mstat ps | grep -qF "0.0.0.0:$HOSTPORT->80/tcp" || fail "ps PORTS of dual: $(mstat ps)"
if [ -e /proc/net/if_inet6 ] && ip -6 addr show dev lo | grep -q '::1/128'; then
	[ "$(fetch -g "http://[::1]:$HOSTPORT/")" = "$TOKEN" ] || fail "dual does not answer on [::1]"
	mstat ps | grep -qF "[::]:$HOSTPORT->80/tcp" || fail "ps PORTS of dual lack [::]: $(mstat ps)"
	mstat inspect dual | grep -q '"HostIp": "::"' || fail "inspect of dual lacks HostIp ::"
	pass "a port without a host address answers on 127.0.0.1 and [::1]"
else
	pass "a port without a host address answers on 127.0.0.1 (no IPv6 loopback here)"
fi
mstat rm -f dual >/dev/null

# A bridge that mstatd created outlives a SIGKILL of mstatd. The next
# mstatd treats it as its own and deletes it at exit, even when no container
# used it meanwhile.
mstat run -d --name crashnet --network bridge -- sleep 60 >/dev/null
[ -e "/sys/class/net/$BRIDGE" ] || fail "no bridge $BRIDGE while crashnet runs"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
[ -e "/sys/class/net/$BRIDGE" ] || fail "bridge $BRIDGE went with the SIGKILL of mstatd"
start_agent --bridge "$BRIDGE" --bridge-subnet "$SUBNET.0/24"
mstat rm -f crashnet >/dev/null
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
AGENT_PID=
[ ! -e "/sys/class/net/$BRIDGE" ] || fail "bridge $BRIDGE survived the exit of the mstatd after the crash"
pass "the bridge left by a crashed mstatd is deleted by the next one at its exit"
