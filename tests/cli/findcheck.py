#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# findcheck.py FILE.jsonl... -- the counts of tcpclose's JSON findings are the
# counts of its own records:
#   - each "finding_group" has as many members as there are "finding"
#     records naming it, its count and of are their sums (time_wait_ports:
#     the largest peak), its offenders are members, most count first;
#   - each per-service finding whose count the "conn" records can give
#     (refused, SYN only, server closed first, CLOSE_WAIT by side, aborts
#     by the server, resets by cause) says what the records say, and its
#     "of" is the service's connections (server closed first: its graceful
#     closes);
#   - the "reset_timeline" adds up to the summary's resets (refused
#     included), one count per bucket.
# Prints what it checked, and each mismatch; exits 1 if there is one.
import collections
import json
import sys



def svc(ip, port):
    return (f'[{ip}]' if ':' in ip else ip) + f':{port}'


def check(path):
    recs = [json.loads(line) for line in open(path)]
    bad = []
    by_type = collections.defaultdict(list)
    for r in recs:
        by_type[r['type']].append(r)

    # ---- per service, from the connection records
    per = collections.defaultdict(collections.Counter)
    for c in by_type['conn']:
        s = per[svc(c['server']['ip'], c['server']['port'])]
        s['conns'] += 1
        if c['close'] == 'graceful':
            s['graceful'] += 1
            if c['closer'] == 'server':
                s['server_closes_first'] += 1
        if c['opened'] == 'refused':
            s['refused'] += 1
        if c['opened'] == 'syn_only':
            s['syn_unanswered'] += 1
        if c['close'] == 'half_closed':
            # The client's FIN seen: the server is the one left in CLOSE_WAIT.
            side = 'server' if c['frames']['client_fin'] is not None else 'client'
            s['close_wait_' + side] += 1
        # A trailing RST's cause is not a reset cause (it was not reset).
        cause = None if c['trailing_rst'] is not None else c['cause']
        if cause:
            s['cause_' + cause] += 1
            if c['close'] == 'reset' and c['evidence'].get('by') == 'server':
                s['server_' + cause] += 1

    checked = collections.Counter()
    for f in by_type['finding']:
        k, subj = f['kind'], f['subject']
        s = per.get(subj)
        if s is None or f['kind'] in ('nagle_stall', 'time_wait_reuse', 'time_wait_ports',
                                      'rst_ignored', 'idle_timeout', 'keepalive_race',
                                      'data_after_close', 'injected', 'trailing_rst'):
            continue  # not a service, or not countable from a conn record alone
        of = s['conns']
        if k == 'abortive_close':
            want = s['server_abortive_close']
        elif k == 'close_wait':
            want = s['close_wait_client' if f['text'].startswith('clients of') else 'close_wait_server']
        elif k == 'server_closes_first':
            want, of = s['server_closes_first'], s['graceful']
        elif k in ('refused', 'syn_unanswered'):
            want = s[k]
        elif k in ('no_connection', 'handshake_abort', 'keepalive_timeout', 'dead_peer'):
            want = s['cause_' + k]
        else:
            continue
        checked[k] += 1
        if f['count'] != want or f.get('of') != of:
            bad.append(f'finding {f["rank"]} ({k} {subj}): says {f["count"]} of {f.get("of")}, '
                       f'the records {want} of {of}')

    # ---- groups against their members
    members = collections.defaultdict(list)
    for f in by_type['finding']:
        if 'group' in f:
            members[f['group']].append(f)
        else:
            bad.append(f'finding {f["rank"]} belongs to no group')
    ranks = {f['rank']: f for f in by_type['finding']}
    for g in by_type['finding_group']:
        m = members.get(g['rank'], [])
        if len(m) != g['members']:
            bad.append(f'group {g["rank"]}: {g["members"]} members, {len(m)} findings name it')
            continue
        if any(f['kind'] != g['kind'] for f in m):
            bad.append(f'group {g["rank"]}: a member of another kind')
        counts = [f['count'] for f in m]
        want = max(counts) if g['kind'] == 'time_wait_ports' else sum(counts)
        wof = max(f.get('of', 0) for f in m) if g['kind'] == 'time_wait_ports' else \
            sum(f.get('of', 0) for f in m)
        if g['count'] != want or g.get('of', 0) != wof:
            bad.append(f'group {g["rank"]} ({g["kind"]}): {g["count"]} of {g.get("of")}, '
                       f'members {want} of {wof}')
        offs = g['offenders']
        if len(offs) != min(len(m), 10) or [o['count'] for o in offs] != sorted(counts, reverse=True)[:len(offs)]:
            bad.append(f'group {g["rank"]}: offenders are not its largest members')
        for o in offs:
            f = ranks.get(o['finding'])
            if not f or f.get('group') != g['rank'] or f['subject'] != o['subject'] or f['count'] != o['count']:
                bad.append(f'group {g["rank"]}: offender {o} is not its finding record')
        checked['group'] += 1
    if len(by_type['finding_group']) != len(members):
        bad.append(f'{len(members)} groups named, {len(by_type["finding_group"])} group records')

    # ---- resets over time
    (summ,) = by_type['summary']
    tl = by_type['reset_timeline']
    if summ['reset']:
        if len(tl) != 1:
            bad.append(f'{len(tl)} reset_timeline records for {summ["reset"]} resets')
        else:
            t = tl[0]
            if sum(t['counts']) != summ['reset'] or t['resets'] != summ['reset'] or \
                    len(t['counts']) != t['buckets'] or not 1 <= t['buckets'] <= 60:
                bad.append(f'reset_timeline {t["resets"]} resets, counts add to {sum(t["counts"])}, '
                           f'{t["buckets"]} buckets; summary: {summ["reset"]}')
            checked['timeline'] += 1
    elif tl:
        bad.append('a reset_timeline without resets')
    return bad, checked


failed = 0
total = collections.Counter()
for path in sys.argv[1:]:
    bad, checked = check(path)
    total.update(checked)
    for b in bad[:20]:
        print(f'{path}: {b}')
    failed |= bool(bad)
print('checked', dict(total))
sys.exit(1 if failed else 0)
