/*
 * Private to classify/expr*.c: the lexer of the expression language and the
 * parser state it shares with the grammar (expr_parse.c). Tokens are read
 * one ahead; every error records "column N: reason" once.
 */
#ifndef DORA_CLASSIFY_EXPR_LEX_H
#define DORA_CLASSIFY_EXPR_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify/expr.h"

enum tok {
    T_EOF, T_STR, T_HEX, T_IP, T_INT, T_IDENT,
    T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_DOT, T_COMMA, T_EQ, T_PLUS, T_STAR, T_BAD
};

struct parser {
    const char *s;
    size_t      pos;      /* next unread byte */
    enum tok    tok;      /* current token */
    size_t      tpos;     /* its offset */
    size_t      tlen;     /* its length in the text */
    int         depth;
    const struct expr_resolver *r;
    char       *err;
    size_t      errlen;
    bool        failed;
};

/* Record the first error, at byte offset pos of the text. */
void lex_fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Read the next token into p->tok / tpos / tlen. */
void lex_next(struct parser *p);

/* The current token is the identifier word. */
bool lex_is(const struct parser *p, const char *word);

/* The current token quoted for a message ("'foo'", "the end of the expression"). */
const char *lex_desc(const struct parser *p, char *buf, size_t cap);

/* Consume a token of kind t / the identifier word, or fail naming what. */
bool lex_expect(struct parser *p, enum tok t, const char *what);
bool lex_expect_word(struct parser *p, const char *word);

/* Consume a T_INT within [min, max] into *out, or fail naming what. */
bool lex_int(struct parser *p, long long min, long long max, long long *out, const char *what);

/* A dotted quad of n characters into 4 bytes. */
bool lex_ip(const char *s, size_t n, uint8_t out[4]);

/* Value of one hex digit. */
int lex_hexval(char c);

#endif
