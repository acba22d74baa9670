#include <stdlib.h>

#include "config.h"
#include "harness.h"

static int parse(const char *line, const char *ename, const char *evalue)
{
	char *n, *v;
	int r = config_parse_line(line, &n, &v);
	if (r == 1) {
		CHECK_STR(n, ename);
		CHECK_STR(v, evalue);
	}
	free(n);
	free(v);
	return r;
}

TEST(config_lines)
{
	CHECK_INT(parse("ZREP_SAVE_COUNT=10\n", "ZREP_SAVE_COUNT", "10"), 1);
	CHECK_INT(parse("export SSH=\"ssh -o BatchMode=yes\"\n", "SSH", "ssh -o BatchMode=yes"), 1);
	CHECK_INT(parse("ZREP_OUTFILTER='lz4 -c'  # fast\n", "ZREP_OUTFILTER", "lz4 -c"), 1);
	CHECK_INT(parse("  # comment\n", NULL, NULL), 0);
	CHECK_INT(parse("\n", NULL, NULL), 0);
	CHECK_INT(parse("ZREP_PATH=$(rm -rf /)\n", NULL, NULL), -1);
	CHECK_INT(parse("ZREP_PATH=\"$HOME/zrep\"\n", NULL, NULL), -1);
	CHECK_INT(parse("if true; then\n", NULL, NULL), -1);
	CHECK_INT(parse("A=b c\n", NULL, NULL), -1);
	CHECK_INT(parse("A=\"unterminated\n", NULL, NULL), -1);
	CHECK_INT(parse("A=\"esc \\\" q\"\n", "A", "esc \" q"), 1);
	CHECK_INT(parse("EMPTY=\n", "EMPTY", ""), 1);
}
