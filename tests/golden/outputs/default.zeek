#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open	2026-11-21-10-28-15
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	tc_id	tc_close	tc_cause	tc_closer	tc_reset_by	tc_reset_phase	tc_client_state	tc_server_state	tc_trailing_rst_by	tc_trailing_rst_cause	tc_trailing_rst_frame	tc_inferred	tc_one_way
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	count	string	string	string	string	string	string	string	string	string	count	set[string]	string
1795256895.576648	CFmabScwFlHX1	127.0.0.1	41758	127.0.0.1	30007	tcp	-	0.000813	24	45	SF	-	-	0	ShADadFf	6	344	4	261	-	1	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1795256895.576742	CDs5zfpYAT2I2	127.0.0.1	41760	127.0.0.1	30007	tcp	-	0.150953	24	45	SF	-	-	0	ShADadFf	6	344	5	313	-	2	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1795256895.576796	C0gZzpJmWIFI3	127.0.0.1	41774	127.0.0.1	30007	tcp	-	0.151002	24	45	SF	-	-	0	ShADadFf	6	344	5	313	-	3	graceful	-	client	-	-	TIME_WAIT	CLOSED	-	-	-	(empty)	-
1795256895.576849	C5vv2unEaCKf4	127.0.0.1	41790	127.0.0.1	30007	tcp	-	0.150910	24	45	SF	-	-	0	ShADadfF	6	344	5	313	-	4	graceful	-	server	-	-	CLOSED	TIME_WAIT	-	-	-	(empty)	-
1795256895.576899	CFE2cZwRJs5W5	127.0.0.1	41804	127.0.0.1	30007	tcp	-	0.000495	24	45	RSTO	-	-	0	ShADadR	5	292	3	209	-	5	reset	abortive_close	-	client	established	CLOSED	CLOSED	-	-	-	(empty)	-
1795256895.576953	CBLknPo12e6g6	127.0.0.1	50709	127.0.0.1	30008	tcp	-	0.000019	0	0	REJ	-	-	0	Sr	1	60	1	40	-	6	reset	refused	-	server	handshake	CLOSED	CLOSED	-	-	-	(empty)	-
1795256895.577015	C8EQI6YyoM627	127.0.0.1	41814	127.0.0.1	30007	tcp	-	0.043159	24	45	S2	-	-	0	ShADadF	5	292	4	261	-	7	half_closed	-	client	-	-	FIN_WAIT_2	CLOSE_WAIT	-	-	-	(empty)	-
#close	2026-11-21-10-28-15
