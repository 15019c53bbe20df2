/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * privdrop.c -- give up root for good once the capture is open (see
 * privdrop.h). The order matters: supplementary groups and the gid while
 * still root, the uid last; then prove root cannot be taken back.
 */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define NOBODY_ID 65534

#ifdef __linux__
/* Clear every capability set; 0 when none is left. */
static int drop_caps(char *errbuf, size_t n)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	int i;

#ifdef PR_CAP_AMBIENT
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
#endif
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &hdr, data) != 0) {
		snprintf(errbuf, n, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) != 0) {
		snprintf(errbuf, n, "cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable) {
			snprintf(errbuf, n, "capabilities still held after dropping them");
			return -1;
		}
#ifdef PR_SET_NO_NEW_PRIVS
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
	return 0;
}
#else
static int drop_caps(char *errbuf, size_t n)
{
	(void)errbuf;
	(void)n;
	return 0;
}
#endif

int tc_privdrop(const char *user, char *errbuf, size_t n)
{
	const char *name = user ? user : TC_PRIVDROP_DEFAULT;
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (getuid() != 0 && geteuid() != 0) {
		/* Not root: nothing to switch; -Z can only name ourselves. */
		if (user) {
			pw = getpwnam(user);
			if (!pw) {
				snprintf(errbuf, n, "-Z %s: no such user", user);
				return -1;
			}
			if (pw->pw_uid != getuid()) {
				snprintf(errbuf, n, "-Z %s: only root can change to another user", user);
				return -1;
			}
		}
		return drop_caps(errbuf, n);
	}

	errno = 0;
	pw = getpwnam(name);
	if (pw) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else if (!user) {
		uid = NOBODY_ID; /* no "nobody" in this passwd: its usual ids */
		gid = NOBODY_ID;
	} else {
		snprintf(errbuf, n, "-Z %s: no such user", user);
		return -1;
	}
	if (uid == 0)
		return 0; /* -Z root: asked to keep root */

	if (pw ? initgroups(pw->pw_name, gid) != 0 : setgroups(0, NULL) != 0) {
		snprintf(errbuf, n, "cannot set the groups of %s: %s", name, strerror(errno));
		return -1;
	}
	if (setgid(gid) != 0) {
		snprintf(errbuf, n, "cannot change to group %lu: %s", (unsigned long)gid, strerror(errno));
		return -1;
	}
	if (setuid(uid) != 0) {
		snprintf(errbuf, n, "cannot change to user %s: %s", name, strerror(errno));
		return -1;
	}
	/* Real, effective and saved ids all changed: root is gone for good. */
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
	    setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
		snprintf(errbuf, n, "dropping root to %s failed: root could be regained", name);
		return -1;
	}
	return drop_caps(errbuf, n);
}
