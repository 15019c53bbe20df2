# SPDX-License-Identifier: BSD-3-Clause
# bash completion for tcpclose: options, the values of --format, --color
# and --only / --write-matching (asked of tcpclose itself, so they follow
# the binary), capture files for -r, interfaces for -i.
_tcpclose()
{
	local cur prev words cword
	_init_completion -n = || return

	case $prev in
	-r)
		_filedir '@(pcap|pcapng|cap|dmp|gz|zst)?(.gz|.zst)'
		return ;;
	-i)
		COMPREPLY=($(compgen -W "any $(command ls /sys/class/net 2>/dev/null)" -- "$cur"))
		return ;;
	-o | -w | --expect)
		_filedir
		return ;;
	--metrics)
		_filedir prom
		return ;;
	-Z)
		COMPREPLY=($(compgen -u -- "$cur"))
		return ;;
	--format)
		COMPREPLY=($(compgen -W "text json csv zeek" -- "$cur"))
		return ;;
	--only | --write-matching)
		# tcpclose lists the words when given one it does not know.
		local all prefix=
		all=$("$1" --only _ 2>&1 | sed -n 's/.*(one of: \(.*\))$/\1/p' | tr -d ',')
		[[ $cur == *,* ]] && prefix=${cur%,*},
		COMPREPLY=($(compgen -P "$prefix" -W "$all" -- "${cur##*,}"))
		compopt -o nospace 2>/dev/null
		return ;;
	-c | -C | -G | -W | --port | --host | --max-conns | --linger | --time-wait | --top | --ephemeral-ports | \
		--ladder | --speed)
		return ;;
	esac
	if [[ $cur == --color=* || $cur == --colour=* ]]; then
		COMPREPLY=($(compgen -W "auto always never" -- "${cur#*=}"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "-r -i -c -n -N -o -q -v -w -C -G -W -Z -h --format --only --port
			--host --write-matching --expect --max-conns --linger --color --colour --help
			--version --time-wait --ephemeral-ports --ladder --ladder-all --tui --speed --top
			--metrics" \
			-- "$cur"))
		return
	fi
} &&
	complete -F _tcpclose tcpclose
