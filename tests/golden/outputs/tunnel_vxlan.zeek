#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2026-12-05-11-18-56
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1796469536.304807	CIH4iTcjoM7L1	10.98.0.1	49640	10.98.0.2	8080	tcp	-	0.018509	18	25	SF	-	-	0	ShADadFf	6	338	4	241	C8ljddm4bCHM	1	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
#close	2026-12-05-11-18-56
