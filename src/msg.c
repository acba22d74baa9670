/*
 * msg: one place for message formatting so that the prefix, the streams
 * and the verbosity rules are the same for every command.
 */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>

int msg_debug;
int msg_notes_to_stderr;

static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, "zrep: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, "zrep: warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(msg_notes_to_stderr ? stderr : stdout, "", fmt, ap);
	va_end(ap);
}

void note_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, "", fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	if (!msg_debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, "zrep: debug: ", fmt, ap);
	va_end(ap);
}
