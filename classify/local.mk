# Client classification: the expression language and per-packet classes
libdora_a_SOURCES += classify/expr_lex.c classify/expr_lex.h classify/expr_parse.c classify/expr_eval.c classify/expr_int.h \
	classify/classify.c
tests_unit_dora_unit_SOURCES += tests/unit/test_expr.cc tests/unit/test_classify.cc

# Fuzz target for the expression language: built and run by tests/fuzz/run.sh.
EXTRA_DIST += tests/fuzz/fuzz_expr.c tests/fuzz/corpus_expr tests/system/test_classes.py
