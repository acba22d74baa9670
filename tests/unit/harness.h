/*
 * A small unit-test harness: TEST(name) { ... } registers a test; CHECK*
 * macros record failures without stopping the test. The runner prints one
 * line per failed check and ends with "N passed, N failed".
 */
#ifndef ZREP_HARNESS_H
#define ZREP_HARNESS_H

#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void harness_register(const char *name, test_fn fn);
extern int harness_failed_checks;

#define TEST(name)                                                                                           \
	static void test_##name(void);                                                                       \
	__attribute__((constructor)) static void register_##name(void)                                       \
	{                                                                                                    \
		harness_register(#name, test_##name);                                                        \
	}                                                                                                    \
	static void test_##name(void)

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			printf("  check failed: %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
			harness_failed_checks++;                                                             \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                     \
			printf("  check failed: %s:%d: %s == %s\n    got      [%s]\n    expected [%s]\n",    \
			       __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");          \
			harness_failed_checks++;                                                             \
		}                                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                                      \
	do {                                                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);                                          \
		if (a_ != b_) {                                                                              \
			printf("  check failed: %s:%d: %s == %s (got %lld, expected %lld)\n", __FILE__,      \
			       __LINE__, #a, #b, a_, b_);                                                    \
			harness_failed_checks++;                                                             \
		}                                                                                            \
	} while (0)

#endif
