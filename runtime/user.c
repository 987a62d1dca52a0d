// SPDX-License-Identifier: MIT
/*
 * docker's --user: parse USER[:GROUP], look it up in the container root's
 * /etc/passwd and /etc/group with runc's rules, and switch to it in the
 * child. The lookup reads through a directory descriptor with every symlink
 * kept inside the root, and never trusts a line it cannot parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/spawn_child.h"
#include "runtime/user.h"

/* The fields of /etc/passwd and /etc/group that the lookup uses. */
#define PASSWD_FIELDS 7 /* name:password:uid:gid:gecos:home:shell */
#define GROUP_FIELDS  4 /* name:password:gid:member,member */

struct field {
	const char *s;
	size_t len;
};

/* One line of a file, split at colons. valid is false when a field the
 * lookup needs is missing or is not a number in 0..RT_USER_ID_MAX. */
struct entry {
	struct field f[PASSWD_FIELDS];
	size_t n_fields;
	uint32_t ids[2]; /* passwd: uid, gid; group: gid */
	bool valid;
};

struct line_reader {
	const char *file; /* "/etc/passwd", for messages */
	const char *buf;  /* NULL: the file does not exist */
	size_t len, pos;
	unsigned number;
};

/* Parses a uid or gid: decimal digits only, at most RT_USER_ID_MAX. */
static int parse_id(const char *s, size_t len, uint32_t *ret)
{
	uint64_t v;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	}
	if (parse_u64(s, len, &v) < 0 || v > RT_USER_ID_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

static bool field_equals(const struct field *f, const char *s, size_t len)
{
	return f->len == len && memcmp(f->s, s, len) == 0;
}

/* Parses one side of USER[:GROUP]; kind ("user" or "group") and text
 * name the value in messages. */
static int parse_part(const char *kind, const char *text, const char *s, size_t len,
		      const char *what, struct rt_user_part *ret, struct mst_err *err)
{
	struct rt_user_part p = { .name = s, .len = len };
	int r;

	if (len == 0)
		return err_setx(err, EINVAL,
				"invalid %s \"%s\": the %s is empty; expected USER[:GROUP], names "
				"or numeric ids",
				kind, text, what);
	if (s[0] == '-' || s[0] == '+')
		return err_setx(err, EINVAL,
				"invalid %s \"%s\": uids and gids must be in range 0-%u", kind,
				text, RT_USER_ID_MAX);
	r = parse_id(s, len, &p.id);
	if (r == -ERANGE)
		return err_setx(err, EINVAL,
				"invalid %s \"%s\": uids and gids must be in range 0-%u", kind,
				text, RT_USER_ID_MAX);
	p.is_id = r == 0;
	*ret = p;
	return 0;
}

int rt_user_parse(const char *text, struct rt_user_arg *ret, struct mst_err *err)
{
	struct rt_user_arg a = { 0 };
	const char *colon = strchr(text, ':');
	size_t user_len = colon ? (size_t)(colon - text) : strlen(text);

	if (colon && strchr(colon + 1, ':'))
		return err_setx(err, EINVAL,
				"invalid user \"%s\": expected USER[:GROUP] with one colon at most",
				text);
	for (const char *c = text; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return err_setx(err, EINVAL,
					"invalid user \"%s\": it contains a control character",
					text);
	}
	if (parse_part("user", text, text, user_len, "user", &a.user, err) < 0)
		return -EINVAL;
	if (colon &&
	    parse_part("user", text, colon + 1, strlen(colon + 1), "group", &a.group, err) < 0)
		return -EINVAL;
	*ret = a;
	return 0;
}

int rt_group_parse(const char *text, struct mst_err *err)
{
	struct rt_user_part part;

	if (strchr(text, ':'))
		return err_setx(err, EINVAL, "invalid group \"%s\": expected a group name or gid",
				text);
	return parse_part("group", text, text, strlen(text), "group", &part, err);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Returns 1 and the next line that is not blank or a comment, 0 at the end,
 * or -EINVAL for a line that is too long or contains a NUL byte. */
static int next_line(struct line_reader *r, struct field *ret, struct mst_err *err)
{
	while (r->buf && r->pos < r->len) {
		const char *start = r->buf + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		size_t len = nl ? (size_t)(nl - start) : r->len - r->pos;

		r->number++;
		r->pos += len + (nl ? 1 : 0);
		if (len > RT_USER_LINE_MAX)
			return err_setx(err, EINVAL,
					"%s of the container: line %u is longer than %d bytes",
					r->file, r->number, RT_USER_LINE_MAX);
		if (memchr(start, '\0', len))
			return err_setx(err, EINVAL,
					"%s of the container: line %u contains a NUL byte; is it "
					"a text file?",
					r->file, r->number);
		while (len > 0 && is_space(start[0])) {
			start++;
			len--;
		}
		while (len > 0 && is_space(start[len - 1]))
			len--;
		/* Blank lines, comments and NIS compat entries ("+", "-name"),
		 * which name no local user. */
		if (len == 0 || start[0] == '#' || start[0] == '+' || start[0] == '-')
			continue;
		*ret = (struct field){ .s = start, .len = len };
		return 1;
	}
	return 0;
}

/* Splits line at colons into e and checks the numeric fields: n_ids of
 * them starting at field first_id. */
static void split_entry(const struct field *line, size_t max_fields, size_t first_id, size_t n_ids,
			struct entry *e)
{
	const char *s = line->s, *end = line->s + line->len;

	memset(e, 0, sizeof(*e));
	while (e->n_fields < max_fields) {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		const char *stop = colon && e->n_fields + 1 < max_fields ? colon : end;

		e->f[e->n_fields++] = (struct field){ .s = s, .len = (size_t)(stop - s) };
		if (stop == end)
			break;
		s = stop + 1;
	}
	e->valid = e->n_fields >= first_id + n_ids && e->f[0].len > 0;
	for (size_t i = 0; e->valid && i < n_ids; i++)
		e->valid = parse_id(e->f[first_id + i].s, e->f[first_id + i].len, &e->ids[i]) == 0;
}

struct lookup {
	const struct rt_user_arg *arg;
	const char *text;
	struct rt_user user;
	const char *name; /* the matched passwd entry's name, not NUL-terminated */
	size_t name_len;
	size_t groups_cap;
};

static int add_group(struct lookup *l, uint32_t gid, struct mst_err *err)
{
	/* Like docker, a gid listed twice stays twice; setgroups(2) accepts it. */
	if (l->user.n_groups >= RT_USER_GROUPS_MAX)
		return err_setx(err, E2BIG, "user \"%s\" has more than %d groups", l->text,
				RT_USER_GROUPS_MAX);
	if (l->user.n_groups == l->groups_cap) {
		size_t cap = l->groups_cap ? l->groups_cap * 2 : 8;
		uint32_t *grown = realloc(l->user.groups, cap * sizeof(*grown));

		if (!grown)
			return err_set(err, ENOMEM, "resolve user \"%s\"", l->text);
		l->user.groups = grown;
		l->groups_cap = cap;
	}
	l->user.groups[l->user.n_groups++] = gid;
	return 0;
}

/* Finds the passwd entry of the user part: by uid for a number, else by
 * name. Fills uid, gid, home and name. */
static int lookup_passwd(struct lookup *l, struct line_reader *r, struct mst_err *err)
{
	const struct rt_user_part *u = &l->arg->user;
	struct field line;
	struct entry e;
	int n;

	while ((n = next_line(r, &line, err)) > 0) {
		split_entry(&line, PASSWD_FIELDS, 2, 2, &e);
		if (!u->is_id && field_equals(&e.f[0], u->name, u->len) && !e.valid)
			return err_setx(err, EINVAL,
					"/etc/passwd of the container: line %u, the entry of user "
					"%.*s, is invalid: expected name:password:uid:gid:... with "
					"numeric ids",
					r->number, (int)u->len, u->name);
		if (!e.valid ||
		    (u->is_id ? e.ids[0] != u->id : !field_equals(&e.f[0], u->name, u->len)))
			continue;
		l->user.uid = e.ids[0];
		l->user.gid = e.ids[1];
		if (e.n_fields > 5 && e.f[5].len > 0) {
			l->user.home = strndup(e.f[5].s, e.f[5].len);
			if (!l->user.home)
				return err_set(err, ENOMEM, "resolve user \"%s\"", l->text);
		}
		l->name = e.f[0].s;
		l->name_len = e.f[0].len;
		return 1;
	}
	return n;
}

/* True when the comma-separated member list names the matched user. */
static bool lists_member(const struct field *members, const char *name, size_t name_len)
{
	const char *s = members->s, *end = members->s + members->len;

	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		struct field f = { .s = s, .len = (size_t)(stop - s) };

		while (f.len > 0 && is_space(f.s[0])) {
			f.s++;
			f.len--;
		}
		while (f.len > 0 && is_space(f.s[f.len - 1]))
			f.len--;
		if (field_equals(&f, name, name_len))
			return true;
		s = stop + 1;
	}
	return false;
}

/* Finds the group of part (by gid or name) when given, and collects the
 * memberships of the matched user when it has a name and no part was given.
 * Returns 1 when part matched an entry. */
static int lookup_groups(struct lookup *l, struct line_reader *r, const struct rt_user_part *part,
			 uint32_t *ret_gid, struct mst_err *err)
{
	struct field line;
	struct entry e;
	int n;

	while ((n = next_line(r, &line, err)) > 0) {
		split_entry(&line, GROUP_FIELDS, 2, 1, &e);
		if (part && !part->is_id && field_equals(&e.f[0], part->name, part->len) &&
		    !e.valid)
			return err_setx(err, EINVAL,
					"/etc/group of the container: line %u, the entry of group "
					"%.*s, is invalid: expected name:password:gid:members with "
					"a numeric gid",
					r->number, (int)part->len, part->name);
		if (!e.valid)
			continue;
		if (part) {
			if (part->is_id ? e.ids[0] == part->id
					: field_equals(&e.f[0], part->name, part->len)) {
				*ret_gid = e.ids[0];
				return 1;
			}
			continue;
		}
		if (e.n_fields > 3 && lists_member(&e.f[3], l->name, l->name_len) &&
		    add_group(l, e.ids[0], err) < 0)
			return -err->code;
	}
	return n;
}

/* Resolves one side that names a group: the entry's gid, or the number
 * itself when no entry has it. */
static int resolve_group_part(struct lookup *l, const char *group, size_t group_len,
			      const struct rt_user_part *part, uint32_t *ret_gid,
			      struct mst_err *err)
{
	struct line_reader r = { .file = "/etc/group", .buf = group, .len = group_len };
	int n = lookup_groups(l, &r, part, ret_gid, err);

	if (n < 0)
		return n;
	if (n > 0)
		return 0;
	if (!part->is_id)
		return err_setx(err, ENOENT,
				"unable to find group %.*s: no matching entries in group file",
				(int)part->len, part->name);
	*ret_gid = part->id;
	return 0;
}

static int resolve_group_add(struct lookup *l, char *const *group_add, const char *group,
			     size_t group_len, struct mst_err *err)
{
	for (size_t i = 0; group_add && group_add[i]; i++) {
		struct rt_user_part part;
		uint32_t gid;
		int r = rt_group_parse(group_add[i], err);

		if (r < 0)
			return r;
		r = parse_part("group", group_add[i], group_add[i], strlen(group_add[i]), "group",
			       &part, err);
		if (r < 0)
			return r;
		r = resolve_group_part(l, group, group_len, &part, &gid, err);
		if (r == 0)
			r = add_group(l, gid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int resolve(struct lookup *l, char *const *group_add, const char *passwd, size_t passwd_len,
		   const char *group, size_t group_len, struct mst_err *err)
{
	const struct rt_user_arg *a = l->arg;
	struct line_reader pr = { .file = "/etc/passwd", .buf = passwd, .len = passwd_len };
	struct line_reader gr = { .file = "/etc/group", .buf = group, .len = group_len };
	uint32_t gid = 0;
	int n = lookup_passwd(l, &pr, err);

	if (n < 0)
		return n;
	if (n == 0 && !a->user.is_id)
		return err_setx(err, ENOENT,
				"unable to find user %.*s: no matching entries in passwd file",
				(int)a->user.len, a->user.name);
	if (n == 0)
		l->user.uid = a->user.id;

	/* docker lists the primary group first among the supplementary ones. */
	if (a->group.name) {
		if (resolve_group_part(l, group, group_len, &a->group, &gid, err) < 0)
			return -err->code;
		l->user.gid = gid;
	}
	if (add_group(l, l->user.gid, err) < 0)
		return -err->code;
	/* Memberships only count for a user named in passwd and no :GROUP, as
	 * with runc. */
	if (!a->group.name && l->name) {
		n = lookup_groups(l, &gr, NULL, &gid, err);
		if (n < 0)
			return n;
	}
	return resolve_group_add(l, group_add, group, group_len, err);
}

int rt_user_resolve_text(const char *text, char *const *group_add, const char *passwd,
			 size_t passwd_len, const char *group, size_t group_len,
			 struct rt_user *ret, struct mst_err *err)
{
	struct rt_user_arg arg;
	struct lookup l = { .arg = &arg, .text = text };
	int r = rt_user_parse(text, &arg, err);

	if (r < 0)
		return r;
	r = resolve(&l, group_add, passwd, passwd_len, group, group_len, err);
	if (r == 0 && !l.user.home)
		l.user.home = strdup("/");
	if (r == 0 && !l.user.home)
		r = err_set(err, ENOMEM, "resolve user \"%s\"", text);
	if (r < 0) {
		rt_user_free(&l.user);
		return r;
	}
	*ret = l.user;
	return 0;
}

/* Reads path beneath root_fd into a new buffer; *ret_buf stays NULL when the
 * file does not exist. */
static int read_root_file(int root_fd, const char *path, char **ret_buf, size_t *ret_len,
			  struct mst_err *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	size_t len = 0;
	char *buf;
	int fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));

	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0)
		return err_set(err, errno, "open /%s of the container", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RT_USER_FILE_MAX) {
		(void)close(fd);
		return err_setx(err, EINVAL,
				"/%s of the container is not a regular file of at most %u bytes",
				path, RT_USER_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		(void)close(fd);
		return err_set(err, ENOMEM, "read /%s of the container", path);
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = err_set(err, errno, "read /%s of the container", path);

			free(buf);
			(void)close(fd);
			return r;
		}
		if (n == 0)
			break; /* the file shrank meanwhile */
		len += (size_t)n;
	}
	(void)close(fd);
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int rt_user_resolve(int root_fd, const char *text, char *const *group_add, struct rt_user *ret,
		    struct mst_err *err)
{
	char *passwd = NULL, *group = NULL;
	size_t passwd_len = 0, group_len = 0;
	int r = read_root_file(root_fd, "etc/passwd", &passwd, &passwd_len, err);

	if (r == 0)
		r = read_root_file(root_fd, "etc/group", &group, &group_len, err);
	if (r == 0)
		r = rt_user_resolve_text(text, group_add, passwd, passwd_len, group, group_len, ret,
					 err);
	free(passwd);
	free(group);
	return r;
}

int rt_user_resolve_path(const char *root, const char *text, char *const *group_add,
			 struct rt_user *ret, struct mst_err *err)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return err_set(err, errno, "open the container's root %s", root);
	r = rt_user_resolve(fd, text, group_add, ret, err);
	(void)close(fd);
	return r;
}

void rt_user_free(struct rt_user *u)
{
	if (!u)
		return;
	free(u->groups);
	free(u->home);
	memset(u, 0, sizeof(*u));
}

int rt_user_prepare(const char *root, const char *text, char *const *group_add, struct rt_env *env,
		    struct rt_user *ret, struct mst_err *err)
{
	struct rt_user u;
	int r = rt_user_resolve_path(root, text, group_add, &u, err);

	if (r < 0)
		return r;
	r = rt_env_set_default_home(env, u.home);
	if (r < 0) {
		rt_user_free(&u);
		return err_set(err, -r, "set HOME for user \"%s\"", text);
	}
	*ret = u;
	return 0;
}

/* Whether fd may change owner: a pipe, a socket or a pseudo-terminal, as
 * runc gives them to the user. Never a file or device of the host, and not
 * /dev/null. */
static bool stdio_may_chown(const struct stat *st)
{
	if (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode))
		return true;
	/* Unix98 pty slaves have majors 136 to 143. */
	return S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143;
}

/* Gives the standard descriptors to the user, so that it can reopen them
 * (/dev/stdout, /proc/self/fd/1) and own its terminal, as runc does. */
static int own_stdio(const struct rt_user *u, struct rt_child_error *e)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			return rt_child_fail(e, errno, "inspect the standard descriptors", NULL);
		if (!stdio_may_chown(&st) || st.st_uid == u->uid)
			continue;
		if (fchown(fd, u->uid, u->gid) < 0 && errno != EPERM && errno != EROFS)
			return rt_child_fail(e, errno, "give the standard descriptors to the user",
					     NULL);
	}
	return 0;
}

int rt_user_apply(const struct rt_user *u, struct rt_child_error *e)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = { 0 };
	int r = own_stdio(u, e);

	if (r < 0)
		return r;
	/* Raw system calls: glibc's wrappers would signal every thread the
	 * agent had at the clone, and they do not exist in this child. */
	if (syscall(SYS_setgroups, u->n_groups, u->groups) < 0)
		return rt_child_fail(e, errno, "set the supplementary groups", NULL);
	if (syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0)
		return rt_child_fail(e, errno, "set the group id", NULL);
	if (syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0)
		return rt_child_fail(e, errno, "set the user id", NULL);
	/* The kernel has cleared the permitted and effective sets of a
	 * non-root user. Clearing them again states docker's rule (moby's
	 * oci.SetCapabilities): only root keeps them, the bounding set stays. */
	if (u->uid != 0 && syscall(SYS_capset, &header, none) < 0)
		return rt_child_fail(e, errno, "clear the capabilities of the user", NULL);
	return 0;
}
