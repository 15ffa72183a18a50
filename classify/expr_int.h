/*
 * Private to classify/expr*.c: the compiled form of an expression. The
 * parser (expr_parse.c) builds a typed tree; the evaluator (expr_eval.c)
 * walks it per packet. Nothing else includes this.
 */
#ifndef DORA_CLASSIFY_EXPR_INT_H
#define DORA_CLASSIFY_EXPR_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "classify/expr.h"

enum expr_type { ET_BOOL = 1, ET_STRING = 2 };

enum expr_op {
    /* string-valued */
    EO_LITERAL,          /* lit/lit_len */
    EO_OPTION_HEX,       /* code; sub >= 0: sub-option */
    EO_OPTION_TEXT,      /* code */
    EO_RELAY4_HEX,       /* sub */
    EO_PKT4_MAC, EO_PKT4_HLEN, EO_PKT4_HTYPE, EO_PKT4_CIADDR, EO_PKT4_GIADDR,
    EO_PKT4_YIADDR, EO_PKT4_SIADDR, EO_PKT4_MSGTYPE, EO_PKT4_TRANSID,
    EO_PKT_IFACE, EO_PKT_SRC, EO_PKT_DST, EO_PKT_LEN,
    EO_VENDOR_ENTERPRISE,        /* first enterprise-id of option 125 */
    EO_VENDOR_OPTION_HEX,        /* ent (0 = any), sub */
    EO_VCLASS_ENTERPRISE,        /* first enterprise-id of option 124 */
    EO_VCLASS_DATA,              /* ent (0 = any), index */
    EO_SUBSTRING,        /* a, start, len / len_all */
    EO_CONCAT,           /* a, b */
    EO_HEXSTRING,        /* a, b (separator) */
    EO_IFELSE,           /* a (bool), b, c */
    EO_SPLIT,            /* a, b (delimiters), index (field number) */
    EO_LCASE, EO_UCASE,  /* a */
    EO_ADDRTOTEXT,       /* a */
    EO_INT8TOTEXT, EO_INT16TOTEXT, EO_INT32TOTEXT,
    EO_UINT8TOTEXT, EO_UINT16TOTEXT, EO_UINT32TOTEXT,
    /* boolean-valued */
    EO_EQUAL,            /* a, b */
    EO_MATCH,            /* re (compiled at load), a (the value) */
    EO_NOT, EO_AND, EO_OR,
    EO_OPTION_EXISTS,    /* code; sub >= 0: sub-option */
    EO_RELAY4_EXISTS,    /* sub */
    EO_VENDOR_EXISTS,    /* ent (0 = any) */
    EO_VENDOR_OPTION_EXISTS, /* ent, sub */
    EO_VCLASS_EXISTS,    /* ent (0 = any) */
    EO_MEMBER,           /* index (class index) */
};

struct expr {
    enum expr_op   op;
    enum expr_type type;
    struct expr   *a, *b, *c;
    uint8_t       *lit;
    uint32_t       lit_len;
    int            code, sub;
    uint32_t       ent;
    int32_t        start, len, index;
    bool           len_all;
    uint8_t        fmt;      /* EO_OPTION_TEXT: enum opt_type of the standard definition */
    regex_t       *re;
};

#endif
