/* The progress line's text (progress_format is pure). */
#include "harness.h"
#include "progress.h"

TEST(progress_line)
{
	char b[256];
	progress_format(b, sizeof(b), "t/a@zrep_000001 to h2:b/a", 12ULL * 1024 * 1024, 4.0,
	                30ULL * 1024 * 1024, 0);
	CHECK_STR(b, "t/a@zrep_000001 to h2:b/a  12.0 MiB  3.0 MiB/s  40%  ETA 0:06");
	/* no estimate: bytes and rate only */
	progress_format(b, sizeof(b), "x", 512, 1.0, 0, 0);
	CHECK_STR(b, "x  512 B  512 B/s");
	/* past the estimate: 99% until the end, then the real figure */
	progress_format(b, sizeof(b), "x", 2048, 1.0, 1024, 0);
	CHECK_STR(b, "x  2.0 KiB  2.0 KiB/s  99%  ETA 0:00");
	progress_format(b, sizeof(b), "x", 2048, 1.0, 1024, 1);
	CHECK_STR(b, "x  2.0 KiB  2.0 KiB/s  100%");
}
