/*
 * exec_pump: see exec_pump.h. The relay copies with a 256 KiB buffer and
 * non-blocking ends, so counting the bytes costs one extra copy in memory
 * and no extra wait (bench/relay-throughput measures it against a bare pipe).
 */
#include "exec_pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 130
#define RELAY_BUF (256 * 1024)

double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pump_io(struct pump *pu)
{
	if (pu->sb) {
		char buf[65536];
		ssize_t r = read(pu->fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (r <= 0) {
			close(pu->fd);
			pu->fd = -1;
			return;
		}
		sb_add(pu->sb, buf, (size_t)r);
		if (pu->tee) {
			ssize_t w = write(2, buf, (size_t)r);
			(void)w;
		}
		return;
	}
	ssize_t w = pu->left ? write(pu->fd, pu->data, pu->left) : 0;
	if (w < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (w < 0 || pu->left == 0 || (pu->left -= (size_t)w, pu->data += w, pu->left == 0)) {
		close(pu->fd);
		pu->fd = -1;
	}
}

static int ms_until(double t)
{
	double d = (t - mono_now()) * 1000.0;
	if (d < 0)
		return 0;
	return d > 2e9 ? 2000000000 : (int)d + 1;
}

enum pump_end run_pumps(struct pump *pumps, size_t np, struct relay *rl, double deadline)
{
	struct pollfd pfd[MAX_FDS];
	size_t map[MAX_FDS];
	char *buf = NULL;
	size_t have = 0, off = 0;
	double last_move = mono_now();
	enum pump_end end = PUMP_DONE;
	if (rl) {
		buf = xmalloc(RELAY_BUF);
		fcntl(rl->src, F_SETFL, fcntl(rl->src, F_GETFL) | O_NONBLOCK);
		fcntl(rl->dst, F_SETFL, fcntl(rl->dst, F_GETFL) | O_NONBLOCK);
	}
	for (;;) {
		size_t n = 0;
		for (size_t i = 0; i < np && n < MAX_FDS - 1; i++) {
			if (pumps[i].fd < 0)
				continue;
			pfd[n] = (struct pollfd){pumps[i].fd, pumps[i].sb ? POLLIN : POLLOUT, 0};
			map[n++] = i;
		}
		int relay_slot = -1;
		if (rl && (rl->src >= 0 || have > off)) {
			relay_slot = (int)n;
			if (have > off)
				pfd[n++] = (struct pollfd){rl->dst, POLLOUT, 0};
			else
				pfd[n++] = (struct pollfd){rl->src, POLLIN, 0};
		}
		if (!n)
			break;
		double wake = deadline;
		if (relay_slot >= 0 && rl->x->stall_secs > 0) {
			double s = last_move + rl->x->stall_secs;
			if (!wake || s < wake)
				wake = s;
		}
		int r = poll(pfd, n, wake ? ms_until(wake) : -1);
		if (r < 0 && errno != EINTR)
			break;
		double now = mono_now();
		if (deadline && now >= deadline) {
			end = PUMP_DEADLINE;
			break;
		}
		if (relay_slot >= 0 && rl->x->stall_secs > 0 && now >= last_move + rl->x->stall_secs) {
			rl->x->stalled = 1;
			end = PUMP_STALLED;
			break;
		}
		if (r <= 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (!pfd[k].revents)
				continue;
			if ((int)k != relay_slot) {
				pump_io(&pumps[map[k]]);
				continue;
			}
			if (have > off) {
				ssize_t w = write(rl->dst, buf + off, have - off);
				if (w > 0) {
					off += (size_t)w;
					rl->x->bytes += (unsigned long long)w;
					last_move = now;
					if (rl->x->progress)
						rl->x->progress(rl->x->bytes, rl->x->ctx);
				} else if (w < 0 && errno != EINTR && errno != EAGAIN) {
					rl->x->write_failed = 1;
					have = off = 0; /* the reader is gone: stop relaying */
					close(rl->src);
					rl->src = -1;
				}
			} else {
				ssize_t rd = read(rl->src, buf, RELAY_BUF);
				if (rd > 0) {
					have = (size_t)rd;
					off = 0;
				} else if (rd == 0 || (errno != EINTR && errno != EAGAIN)) {
					close(rl->src);
					rl->src = -1;
				}
			}
		}
	}
	if (rl) {
		if (rl->src >= 0)
			close(rl->src);
		if (rl->dst >= 0)
			close(rl->dst);
		rl->src = rl->dst = -1;
		free(buf);
	}
	return end;
}
