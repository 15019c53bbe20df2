#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2023-11-14-22-13-20
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1700000000.000000	C4TKEdnsF3Qp1	192.0.2.10	52700	203.0.113.5	443	tcp	-	0.004600	400	3000	SF	-	-	0	ShADadFf	6	720	7	3372	-	1	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1700000005.004650	CB9Iq3X38q7a2	192.0.2.10	52701	203.0.113.5	443	tcp	-	400.127040	470	2200	RSTR	-	-	0	ShADadr	5	738	5	2456	-	2	reset	injected	-	server	established	CLOSED	CLOSED	-	-	-	(empty)	-
1700000005.046950	CByIt2rkGF4a3	192.0.2.10	52702	198.51.100.7	443	tcp	-	400.087930	470	2200	RSTR	-	-	0	ShADadr	5	738	5	2456	-	3	reset	injected	-	server	established	CLOSED	CLOSED	-	-	-	(empty)	-
1700000005.089250	CKKnjlVHLKdv4	192.0.2.10	52703	198.51.100.20	443	tcp	-	400.048820	470	2200	RSTR	-	-	0	ShADadr	5	738	5	2456	-	4	reset	injected	-	server	established	CLOSED	CLOSED	-	-	-	(empty)	-
#close	2023-11-14-22-20-05
