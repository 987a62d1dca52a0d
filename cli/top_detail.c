/* SPDX-License-Identifier: MIT */
/*
 * The detail pane of the live view: limits, throttling, memory breakdown,
 * memory.events, PSI, per-interface and per-device rates, and sparklines of
 * CPU and memory. Every figure is one that mstatd sent.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/top.h"

/* Limits equal to this are unlimited (proto/stats.proto). */
#define TOP_UNLIMITED UINT64_MAX

static void format_limit(bool has, uint64_t value, char *buf, size_t size)
{
	if (!has)
		snprintf(buf, size, "--");
	else if (value == TOP_UNLIMITED)
		snprintf(buf, size, "unlimited");
	else
		top_format_bytes(value, true, buf, size);
}

static void format_opt_bytes(bool has, uint64_t value, char *buf, size_t size)
{
	if (has)
		top_format_bytes(value, true, buf, size);
	else
		snprintf(buf, size, "--");
}

static void format_rate(bool has, double bytes_per_sec, char *buf, size_t size)
{
	char n[24];

	if (!has) {
		snprintf(buf, size, "--");
		return;
	}
	top_format_bytes((uint64_t)bytes_per_sec, false, n, sizeof(n));
	snprintf(buf, size, "%s/s", n);
}

static size_t detail_limits(const Mstat__Stats__ContainerStats *s, char (*lines)[256], size_t n)
{
	char mem[32], swap[32], quota[64], pids[32];

	format_limit(s->has_mem_limit, s->mem_limit, mem, sizeof(mem));
	format_limit(s->has_swap_limit, s->swap_limit, swap, sizeof(swap));
	if (!s->has_cpu_quota_us || s->cpu_quota_us == TOP_UNLIMITED || !s->cpu_period_us)
		snprintf(quota, sizeof(quota), "none");
	else
		snprintf(quota, sizeof(quota), "%" PRIu64 "/%" PRIu64 "us (%.2f CPUs)",
			 s->cpu_quota_us, s->cpu_period_us,
			 (double)s->cpu_quota_us / (double)s->cpu_period_us);
	if (!s->has_pids_limit)
		snprintf(pids, sizeof(pids), "--");
	else if (s->pids_limit == TOP_UNLIMITED)
		snprintf(pids, sizeof(pids), "unlimited");
	else
		snprintf(pids, sizeof(pids), "%" PRIu64, s->pids_limit);

	snprintf(lines[n++], 256,
		 "Limits  memory %s  swap %s  cpu quota %s  cpu %s %" PRIu64 "  pids %s", mem, swap,
		 quota, s->has_cpu_weight ? "weight" : "shares",
		 s->has_cpu_weight ? s->cpu_weight : s->cpu_shares, pids);
	return n;
}

static size_t detail_cpu_memory(const Mstat__Stats__ContainerStats *s, char (*lines)[256], size_t n)
{
	char anon[32], file[32], shmem[32], kernel[32], wset[32], swap[32];

	char cpu[32], quota[32];

	if (s->has_cpu_percent)
		snprintf(cpu, sizeof(cpu), "%.2f%%", s->cpu_percent);
	else
		snprintf(cpu, sizeof(cpu), "--");
	if (s->has_cpu_quota_percent)
		snprintf(quota, sizeof(quota), "%.1f%%", s->cpu_quota_percent);
	else
		snprintf(quota, sizeof(quota), "--");
	snprintf(lines[n++], 256,
		 "CPU     %s  of quota %s  throttled %.2fs, %.1f%% of the last interval", cpu,
		 quota, (double)s->cpu_throttled_ns / 1e9, s->cpu_throttled_percent);
	format_opt_bytes(s->has_mem_anon, s->mem_anon, anon, sizeof(anon));
	format_opt_bytes(s->has_mem_file, s->mem_file, file, sizeof(file));
	format_opt_bytes(s->has_mem_shmem, s->mem_shmem, shmem, sizeof(shmem));
	format_opt_bytes(s->has_mem_kernel, s->mem_kernel, kernel, sizeof(kernel));
	format_opt_bytes(s->has_mem_working_set, s->mem_working_set, wset, sizeof(wset));
	format_opt_bytes(s->has_swap_usage, s->swap_usage, swap, sizeof(swap));
	snprintf(lines[n++], 256,
		 "Memory  anon %s  file %s  shmem %s  kernel %s  working set %s  swap %s", anon,
		 file, shmem, kernel, wset, swap);
	snprintf(lines[n++], 256,
		 "memory.events  high %" PRIu64 "  max %" PRIu64 "  oom %" PRIu64
		 "  oom_kill %" PRIu64,
		 s->mem_events_high, s->mem_events_max, s->mem_events_oom, s->mem_events_oom_kill);
	return n;
}

static void format_psi(const char *name, const Mstat__Stats__Pressure *p, char *buf, size_t size)
{
	if (!p)
		snprintf(buf, size, "%s --", name);
	else
		snprintf(buf, size, "%s %.1f%%/%.1f%%", name, p->some_percent, p->full_percent);
}

/* Formats " (limit 5.0MiB/s)", or "" when the device has no limit that way. */
static void format_device_limit(bool has, uint64_t bytes_per_sec, char *buf, size_t size)
{
	char n[24];

	if (!has) {
		buf[0] = '\0';
		return;
	}
	top_format_bytes(bytes_per_sec, false, n, sizeof(n));
	snprintf(buf, size, " (limit %s/s)", n);
}

static size_t detail_io(const Mstat__Stats__ContainerStats *s, char (*lines)[256], size_t n,
			size_t max)
{
	char cpu[48], mem[48], io[48], rx[32], tx[32], rlimit[40], wlimit[40];

	format_psi("cpu", s->cpu_pressure, cpu, sizeof(cpu));
	format_psi("memory", s->memory_pressure, mem, sizeof(mem));
	format_psi("io", s->io_pressure, io, sizeof(io));
	snprintf(lines[n++], 256, "PSI some/full  %s  %s  %s", cpu, mem, io);

	for (size_t i = 0; i < s->n_interfaces && n < max; i++) {
		const Mstat__Stats__NetInterface *nif = s->interfaces[i];

		format_rate(nif->has_rx_bytes_per_sec, nif->rx_bytes_per_sec, rx, sizeof(rx));
		format_rate(nif->has_tx_bytes_per_sec, nif->tx_bytes_per_sec, tx, sizeof(tx));
		snprintf(lines[n++], 256, "Net %-8s rx %s  tx %s", nif->name ? nif->name : "?", rx,
			 tx);
	}
	for (size_t i = 0; i < s->n_devices && n < max; i++) {
		const Mstat__Stats__BlockDevice *d = s->devices[i];

		format_rate(d->has_read_bytes_per_sec, d->read_bytes_per_sec, rx, sizeof(rx));
		format_rate(d->has_write_bytes_per_sec, d->write_bytes_per_sec, tx, sizeof(tx));
		format_device_limit(d->has_read_bps_limit, d->read_bps_limit, rlimit,
				    sizeof(rlimit));
		format_device_limit(d->has_write_bps_limit, d->write_bps_limit, wlimit,
				    sizeof(wlimit));
		snprintf(lines[n++], 256, "Dev %3u:%-4u read %s%s  write %s%s", d->major, d->minor,
			 rx, rlimit, tx, wlimit);
	}
	return n;
}

size_t top_format_detail(const struct top_view *v, const struct top_row *r, char (*lines)[256],
			 size_t max_lines)
{
	const Mstat__Stats__ContainerStats *s = r->stats;
	char spark[TOP_HISTORY * 3 + 1], peak[32];
	double cpu_max = 0, mem_max = 0;
	size_t n = 0;

	if (max_lines < 8)
		return 0;
	snprintf(lines[n++], 256, "%s  %.12s  %s  %s", s->name ? s->name : "--",
		 s->container_id ? s->container_id : "", s->state ? s->state : "--",
		 s->cgroup ? s->cgroup : "");
	n = detail_limits(s, lines, n);
	n = detail_cpu_memory(s, lines, n);

	for (unsigned i = 0; i < r->history_len; i++) {
		cpu_max = r->cpu_history[i] > cpu_max ? r->cpu_history[i] : cpu_max;
		mem_max = r->mem_history[i] > mem_max ? r->mem_history[i] : mem_max;
	}
	top_format_sparkline(r->cpu_history, r->history_len, v->unicode, spark, sizeof(spark));
	snprintf(lines[n++], 256, "CPU %% history  %s  max %.1f%%", spark, cpu_max);
	top_format_sparkline(r->mem_history, r->history_len, v->unicode, spark, sizeof(spark));
	top_format_bytes((uint64_t)mem_max, true, peak, sizeof(peak));
	snprintf(lines[n++], 256, "Memory history %s  max %s", spark, peak);
	return detail_io(s, lines, n, max_lines);
}

void top_screen_draw_detail(const struct top_view *v, const struct top_row *r, int top, int lines,
			    int width)
{
	char text[TOP_DETAIL_MAX_LINES][256];
	size_t n = top_format_detail(v, r, text,
				     (size_t)lines < TOP_DETAIL_MAX_LINES ? (size_t)lines - 1
									  : TOP_DETAIL_MAX_LINES);

	attron(A_BOLD);
	mvhline(top, 0, ACS_HLINE, width);
	mvaddnstr(top, 2, " detail ", width - 2);
	attroff(A_BOLD);
	for (size_t i = 0; i < n; i++)
		mvaddnstr(top + 1 + (int)i, 0, text[i], width);
}
