#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2023-11-14-22-13-20
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1700000000.000000	CACTjSf96ruN1	192.0.2.10	52040	203.0.113.5	80	tcp	-	0.005700	100	200	SF	-	-	0	ShADadFf	6	420	5	468	-	1	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1700000000.000750	C4PQCLY99E3b2	2001:db8:1::10	52041	2001:db8:2::5	80	tcp	-	0.005000	100	1300	SF	-	-	0	ShADadFf	6	540	6	1740	-	2	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1700000000.004550	CHlB23qYxKAP3	2001:db8:1::10	52042	2001:db8:2::5	80	tcp	-	0.001250	50	0	RSTO	-	-	0	ShADaR	4	346	2	152	-	3	reset	abortive_close	-	client	established	CLOSED	CLOSED	-	-	-	(empty)	-
#close	2023-11-14-22-13-20
