#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2023-11-14-22-13-20
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1700000000.000000	CIMaFj8YrL7G1	192.0.2.10	52100	203.0.113.5	80	tcp	-	0.004000	75	330	SF	-	-	0	ShADadFf	6	395	5	598	CIoRNP6oifya	1	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1700000000.005050	CKtk3BAj8BR72	2001:db8:1::10	52101	2001:db8:2::5	80	tcp	-	0.001850	64	0	RSTR	-	-	0	ShADar	3	288	3	224	C7UbZtviWlix	2	reset	abortive_close	-	server	established	CLOSED	CLOSED	-	-	-	(empty)	-
#close	2023-11-14-22-13-20
