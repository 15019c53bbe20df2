#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2026-11-21-10-28-37
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1795256917.675825	CA7vIOLDc1Lk1	198.18.0.1	34378	198.18.0.2	30023	tcp	-	3.356281	105	62	S1	-	-	0	ShADadT	10	853	3	226	-	1	open	dead_peer	-	-	-	ESTABLISHED	ESTABLISHED	-	-	-	(empty)	-
#close	2026-11-21-10-28-41
