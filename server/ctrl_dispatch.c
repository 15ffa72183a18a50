/*
 * Request checks and dispatch of the control channel; see ctrl.h. Error
 * texts follow Kea's (result 1 for a malformed request, 2 for an unknown
 * command).
 */
#include "server/ctrl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/hooks_mgr.h"
#include "server/log.h"

struct json_object *ctrl_answer_json(int result, const char *text, struct json_object *args)
{
    struct json_object *a = json_object_new_object();
    if (!a) {
        json_object_put(args);
        return NULL;
    }
    json_object_object_add(a, "result", json_object_new_int(result));
    json_object_object_add(a, "text", json_object_new_string(text ? text : ""));
    if (args)
        json_object_object_add(a, "arguments", args);
    return a;
}

const struct ctrl_cmd *ctrl_cmd_find(const char *name)
{
    for (const struct ctrl_cmd *const *t = ctrl_cmd_tables; *t; t++)
        for (const struct ctrl_cmd *c = *t; c->name; c++)
            if (strcmp(c->name, name) == 0)
                return c;
    return NULL;
}

/* The command_processed hook point: callouts see the command, its arguments
 * and the answer, and may replace the answer. */
static struct json_object *command_processed(struct ctrl_env *env, const char *name,
                                             struct json_object *args, struct json_object *answer)
{
    if (!env->cfg_acquire)
        return answer;
    void *ref;
    const struct cfg4 *cfg = env->cfg_acquire(env, &ref);
    if (hooks_on(cfg->hooks, DORA_HOOK_COMMAND_PROCESSED)) {
        char *resp = strdup(json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN));
        if (resp) {
            hooks_command_processed(cfg, name,
                                    args ? json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN)
                                         : "{}",
                                    &resp);
            struct json_object *replaced = resp ? json_tokener_parse(resp) : NULL;
            if (replaced) {
                json_object_put(answer);
                answer = replaced;
            }
            free(resp);
        }
    }
    env->cfg_release(env, ref);
    return answer;
}

struct json_object *ctrl_dispatch(struct ctrl_env *env, struct json_object *req)
{
    struct json_object *cmd, *args = NULL;
    char text[CTRL_TEXT_MAX];

    if (!json_object_is_type(req, json_type_object))
        return ctrl_answer_json(CTRL_ERROR, "invalid command: the request must be a JSON map", NULL);
    if (!json_object_object_get_ex(req, "command", &cmd))
        return ctrl_answer_json(CTRL_ERROR, "invalid command: no 'command' in the request", NULL);
    if (!json_object_is_type(cmd, json_type_string))
        return ctrl_answer_json(CTRL_ERROR, "invalid command: 'command' must be a string", NULL);
    if (json_object_object_get_ex(req, "arguments", &args) &&
        !json_object_is_type(args, json_type_object))
        return ctrl_answer_json(CTRL_ERROR, "invalid command: 'arguments' must be a map", NULL);
    const char *name = json_object_get_string(cmd);
    const struct ctrl_cmd *c = ctrl_cmd_find(name);
    if (!c) {
        snprintf(text, sizeof(text), "'%.200s' command not supported", name);
        LOG_INFO("COMMAND_UNSUPPORTED", "%s", text);
        return ctrl_answer_json(CTRL_UNSUPPORTED, text, NULL);
    }
    LOG_INFO("COMMAND_RECEIVED", "received command %s", c->name);
    struct ctrl_answer ans = { .result = CTRL_ERROR, .text = "the command gave no answer" };
    c->fn(env, args, &ans);
    return command_processed(env, c->name, args, ctrl_answer_json(ans.result, ans.text, ans.args));
}

int ctrl_reader_init(struct ctrl_reader *r)
{
    r->total = 0;
    r->tok = json_tokener_new_ex(CTRL_JSON_DEPTH);
    return r->tok ? 0 : -1;
}

void ctrl_reader_free(struct ctrl_reader *r)
{
    if (r->tok)
        json_tokener_free(r->tok);
    r->tok = NULL;
}

enum ctrl_read ctrl_reader_feed(struct ctrl_reader *r, const char *buf, size_t n,
                                struct json_object **out)
{
    char text[CTRL_TEXT_MAX];

    *out = NULL;
    if (n > CTRL_REQUEST_MAX - r->total) {
        snprintf(text, sizeof(text), "invalid command: the request is larger than %u bytes",
                 CTRL_REQUEST_MAX);
        *out = ctrl_answer_json(CTRL_ERROR, text, NULL);
        return CTRL_READ_ERROR;
    }
    r->total += n;
    /* json-c stops at a NUL; JSON text never holds one. */
    if (memchr(buf, '\0', n)) {
        *out = ctrl_answer_json(CTRL_ERROR, "invalid command: the request holds a NUL byte", NULL);
        return CTRL_READ_ERROR;
    }
    struct json_object *obj = json_tokener_parse_ex(r->tok, buf, (int)n);
    enum json_tokener_error e = json_tokener_get_error(r->tok);
    if (obj) {
        *out = obj;
        return CTRL_READ_DONE;
    }
    if (e == json_tokener_continue)
        return CTRL_READ_MORE;
    snprintf(text, sizeof(text), "invalid command: not JSON (%s at byte %zu)",
             json_tokener_error_desc(e), r->total - n + json_tokener_get_parse_end(r->tok));
    *out = ctrl_answer_json(CTRL_ERROR, text, NULL);
    return CTRL_READ_ERROR;
}

struct json_object *ctrl_reader_eof(struct ctrl_reader *r)
{
    char text[CTRL_TEXT_MAX];
    snprintf(text, sizeof(text), "invalid command: the request ended after %zu bytes "
             "before its JSON was complete", r->total);
    return ctrl_answer_json(CTRL_ERROR, text, NULL);
}

char *ctrl_handle_text(struct ctrl_env *env, const char *text, size_t len)
{
    struct ctrl_reader r;
    struct json_object *obj, *ans;

    if (ctrl_reader_init(&r) < 0)
        return NULL;
    enum ctrl_read st = ctrl_reader_feed(&r, text, len, &obj);
    if (st == CTRL_READ_DONE) {
        ans = ctrl_dispatch(env, obj);
        json_object_put(obj);
    } else if (st == CTRL_READ_MORE) {
        ans = ctrl_reader_eof(&r);
    } else {
        ans = obj;
    }
    ctrl_reader_free(&r);
    char *s = ans ? strdup(json_object_to_json_string_ext(ans, JSON_C_TO_STRING_PLAIN)) : NULL;
    json_object_put(ans);
    return s;
}
