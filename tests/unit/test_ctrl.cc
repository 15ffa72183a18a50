// Unit tests of the control channel: the control-socket(s) config keys
// (server/cfg_ctrl.c), the request reader and dispatcher (ctrl_dispatch.c),
// the server commands (cmd_server.c) on a real parsed configuration, and
// the socket server (ctrl_socket.c) over a real UNIX socket.
#include <gtest/gtest.h>

#include <json-c/json.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "config.h"
#include "server/cfg.h"
#include "server/ctrl.h"

namespace {

const char *kConfig = R"({ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "lease-database": { "type": "memfile", "persist": false },
    "hosts-database": { "type": "mysql", "name": "h", "user": "u", "password": "s3cret" },
    "valid-lifetime": 600,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                   "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" } ] } ] } })";

std::string cfg_error(const std::string &text)
{
    cfg4 *c = nullptr;
    char err[1024] = "";
    int rc = cfg4_parse(text.c_str(), "t", &c, err, sizeof(err));
    cfg4_free(c);
    return rc == 0 ? "OK" : err;
}

std::string with_dhcp4(const std::string &inner)
{
    return R"({ "Dhcp4": { "interfaces-config": { "interfaces": [ "eth0" ] }, )" + inner + " } }";
}

TEST(CfgCtrl, LegacyMapAndListAreParsed)
{
    cfg4 *c = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_parse(with_dhcp4(R"("control-socket": { "socket-type": "unix",
        "socket-name": "/tmp/x.sock" })").c_str(), "t", &c, err, sizeof(err))) << err;
    EXPECT_STREQ("/tmp/x.sock", c->ctrl_socket_path);
    cfg4_free(c);
    ASSERT_EQ(0, cfg4_parse(with_dhcp4(R"("control-sockets": [ { "socket-type": "unix",
        "socket-name": "/tmp/y.sock", "user-context": {} } ])").c_str(), "t", &c, err, sizeof(err))) << err;
    EXPECT_STREQ("/tmp/y.sock", c->ctrl_socket_path);
    cfg4_free(c);
    ASSERT_EQ(0, cfg4_parse(with_dhcp4(R"("valid-lifetime": 100)").c_str(), "t", &c, err, sizeof(err)));
    EXPECT_EQ(nullptr, c->ctrl_socket_path);
    cfg4_free(c);
}

TEST(CfgCtrl, BareNameGoesToTheSocketDirectory)
{
    setenv("DORA_CONTROL_SOCKET_DIR", "/tmp/ctrl-dir", 1);
    cfg4 *c = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_parse(with_dhcp4(R"("control-socket": { "socket-type": "unix",
        "socket-name": "kea4-ctrl-socket" })").c_str(), "t", &c, err, sizeof(err))) << err;
    EXPECT_STREQ("/tmp/ctrl-dir/kea4-ctrl-socket", c->ctrl_socket_path);
    cfg4_free(c);
    unsetenv("DORA_CONTROL_SOCKET_DIR");
}

TEST(CfgCtrl, RefusalsNameTheirPath)
{
    EXPECT_EQ("Dhcp4.control-sockets[1].socket-type: 'http' control sockets are not supported yet "
              "(only \"unix\")",
              cfg_error(with_dhcp4(R"("control-sockets": [ { "socket-type": "unix", "socket-name": "/tmp/a" },
                  { "socket-type": "http", "socket-port": 8000 } ])")));
    EXPECT_EQ("Dhcp4.control-sockets[1]: only one unix control socket is allowed",
              cfg_error(with_dhcp4(R"("control-sockets": [ { "socket-type": "unix", "socket-name": "/tmp/a" },
                  { "socket-type": "unix", "socket-name": "/tmp/b" } ])")));
    EXPECT_EQ("Dhcp4.control-socket: socket-name is missing or empty",
              cfg_error(with_dhcp4(R"("control-socket": { "socket-type": "unix" })")));
    EXPECT_EQ("Dhcp4.control-socket.socket-type: 'tcp' is not a control socket type (expected unix)",
              cfg_error(with_dhcp4(R"("control-socket": { "socket-type": "tcp", "socket-name": "x" })")));
    EXPECT_EQ("Dhcp4.control-socket.socket-port: unknown parameter",
              cfg_error(with_dhcp4(R"("control-socket": { "socket-type": "unix", "socket-name": "/tmp/a",
                  "socket-port": 1 })")));
    EXPECT_EQ("Dhcp4.control-sockets: control-socket and control-sockets cannot both be set",
              cfg_error(with_dhcp4(R"("control-socket": { "socket-type": "unix", "socket-name": "/tmp/a" },
                  "control-sockets": [])")));
    std::string longname(120, 'x');
    EXPECT_NE(std::string::npos, cfg_error(with_dhcp4(R"("control-socket": { "socket-type": "unix",
        "socket-name": "/tmp/)" + longname + R"(" })")).find("Dhcp4.control-socket.socket-name: "))
        << "a name longer than sun_path is refused";
}

TEST(CfgCtrl, NonMapEntryIsRefusedWithItsIndex)
{
    std::string e = cfg_error(with_dhcp4(R"("control-sockets": [ "unix" ])"));
    EXPECT_EQ(0u, e.rfind("Dhcp4.control-sockets[0]: ", 0)) << e;
}

// A real environment for the commands: a parsed configuration that
// config-set replaces, flags the commands set.
struct Env {
    ctrl_env env{};
    cfg4 *cfg = nullptr;
    cfg4 *replaced = nullptr;
    int disabled = 0;
    int shutdown_status = -1;
    std::string dir;

    static const cfg4 *acquire(ctrl_env *e, void **ref)
    {
        *ref = nullptr;
        return static_cast<Env *>(e->server)->cfg;
    }
    static void release(ctrl_env *, void *) {}
    static int apply(ctrl_env *e, const char *text, char *err, size_t errlen)
    {
        Env *self = static_cast<Env *>(e->server);
        cfg4 *c;
        if (cfg4_parse(text, "<config-set>", &c, err, errlen) != 0)
            return -1;
        cfg4_free(self->replaced);
        self->replaced = self->cfg;
        self->cfg = c;
        return 0;
    }
    static void shut(ctrl_env *e, int st) { static_cast<Env *>(e->server)->shutdown_status = st; }

    Env()
    {
        char err[512];
        EXPECT_EQ(0, cfg4_parse(kConfig, "t", &cfg, err, sizeof(err))) << err;
        char tmpl[] = "/tmp/dora-ctrl-test.XXXXXX";
        dir = mkdtemp(tmpl);
        env.server = this;
        env.cfg_acquire = acquire;
        env.cfg_release = release;
        env.cfg_apply = apply;
        env.shutdown = shut;
        env.dhcp_disabled = &disabled;
        env.started = time(nullptr) - 5;
        env.reloaded = time(nullptr) - 2;
        env.thread_pool_size = 3;
        env.packet_queue_size = 64;
        config_path = dir + "/dorad.json";
        env.config_path = config_path.c_str();
    }
    ~Env()
    {
        cfg4_free(cfg);
        cfg4_free(replaced);
        std::string cmd = "rm -rf '" + dir + "'";
        EXPECT_EQ(0, system(cmd.c_str()));
    }
    std::string config_path;

    // Run a request text; the answer as a JSON tree (owned by the caller).
    json_object *run(const std::string &req)
    {
        char *a = ctrl_handle_text(&env, req.data(), req.size());
        EXPECT_NE(nullptr, a);
        json_object *o = a ? json_tokener_parse(a) : nullptr;
        free(a);
        return o;
    }
};

int result_of(json_object *a)
{
    json_object *r;
    return a && json_object_object_get_ex(a, "result", &r) ? json_object_get_int(r) : -1;
}

std::string text_of(json_object *a)
{
    json_object *t;
    return a && json_object_object_get_ex(a, "text", &t) ? json_object_get_string(t) : "<none>";
}

json_object *args_of(json_object *a)
{
    json_object *t;
    return a && json_object_object_get_ex(a, "arguments", &t) ? t : nullptr;
}

struct Answer {
    json_object *o;
    explicit Answer(json_object *x) : o(x) {}
    ~Answer() { json_object_put(o); }
    int result() const { return result_of(o); }
    std::string text() const { return text_of(o); }
    json_object *args() const { return args_of(o); }
};

TEST(CtrlDispatch, MalformedRequestsAreErrorsWithAReason)
{
    Env e;
    struct { const char *req, *text; } cases[] = {
        { "[1,2]", "invalid command: the request must be a JSON map" },
        { "\"list-commands\"", "invalid command: the request must be a JSON map" },
        { "{\"arguments\": {}}", "invalid command: no 'command' in the request" },
        { "{\"command\": 42}", "invalid command: 'command' must be a string" },
        { "{\"command\": \"list-commands\", \"arguments\": [1]}",
          "invalid command: 'arguments' must be a map" },
        { "{\"command\": \"list-commands\", \"arguments\": \"x\"}",
          "invalid command: 'arguments' must be a map" },
    };
    for (auto &c : cases) {
        Answer a(e.run(c.req));
        EXPECT_EQ(1, a.result()) << c.req;
        EXPECT_EQ(c.text, a.text()) << c.req;
        EXPECT_EQ(nullptr, a.args()) << c.req;
    }
    Answer t(e.run("{\"command\": \"list-com"));
    EXPECT_EQ(1, t.result());
    EXPECT_EQ("invalid command: the request ended after 21 bytes before its JSON was complete", t.text());
    Answer g(e.run("{\"command\" \x01\xff garbage"));
    EXPECT_EQ(1, g.result());
    EXPECT_EQ(0u, g.text().rfind("invalid command: not JSON (", 0)) << g.text();
    std::string nul("{\"command\":\0\"x\"}", 16);
    Answer n(e.run(nul));
    EXPECT_EQ("invalid command: the request holds a NUL byte", n.text());
    std::string deep(200, '[');
    Answer d(e.run("{\"command\": \"x\", \"arguments\": {\"a\": " + deep));
    EXPECT_EQ(1, d.result());
    EXPECT_NE(std::string::npos, d.text().find("not JSON")) << d.text();
}

TEST(CtrlDispatch, OversizedRequestIsRefusedWithoutParsingItAll)
{
    Env e;
    ctrl_reader r;
    ASSERT_EQ(0, ctrl_reader_init(&r));
    std::string chunk = "{\"command\": \"config-test\", \"arguments\": {\"pad\": \"" +
                        std::string(60000, 'a');
    json_object *out = nullptr;
    EXPECT_EQ(CTRL_READ_MORE, ctrl_reader_feed(&r, chunk.data(), chunk.size(), &out));
    std::string more(65536, 'a');
    enum ctrl_read st = CTRL_READ_MORE;
    int rounds = 0;
    while (st == CTRL_READ_MORE && rounds++ < 100)
        st = ctrl_reader_feed(&r, more.data(), more.size(), &out);
    EXPECT_EQ(CTRL_READ_ERROR, st);
    EXPECT_EQ(16, rounds) << "refused at the first chunk past 1 MiB";
    EXPECT_EQ("invalid command: the request is larger than 1048576 bytes", text_of(out));
    json_object_put(out);
    ctrl_reader_free(&r);
}

TEST(CtrlDispatch, UnknownCommandIsUnsupported)
{
    Env e;
    Answer a(e.run("{\"command\": \"foo\"}"));
    EXPECT_EQ(2, a.result());
    EXPECT_EQ("'foo' command not supported", a.text());
    Answer s(e.run("{\"command\": \"\", \"service\": [\"dhcp4\"]}"));
    EXPECT_EQ(2, s.result());
    EXPECT_EQ("'' command not supported", s.text());
}

TEST(CtrlCommands, ListCommandsHasEveryTableEntry)
{
    Env e;
    Answer a(e.run("{\"command\": \"list-commands\", \"arguments\": {}}"));
    ASSERT_EQ(0, a.result());
    json_object *l = a.args();
    ASSERT_TRUE(json_object_is_type(l, json_type_array));
    size_t want = 0;
    for (const ctrl_cmd *const *t = ctrl_cmd_tables; *t; t++)
        for (const ctrl_cmd *c = *t; c->name; c++) {
            want++;
            bool found = false;
            for (size_t i = 0; i < json_object_array_length(l); i++)
                found |= strcmp(json_object_get_string(json_object_array_get_idx(l, i)), c->name) == 0;
            EXPECT_TRUE(found) << c->name;
        }
    EXPECT_EQ(want, json_object_array_length(l));
    EXPECT_GE(want, 13u);
}

TEST(CtrlCommands, VersionBuildReportStatus)
{
    Env e;
    Answer v(e.run("{\"command\": \"version-get\"}"));
    EXPECT_EQ(0, v.result());
    EXPECT_EQ(PACKAGE_VERSION, v.text());
    json_object *ext;
    ASSERT_TRUE(json_object_object_get_ex(v.args(), "extended", &ext));
    EXPECT_NE(nullptr, strstr(json_object_get_string(ext), "dorad"));
    Answer b(e.run("{\"command\": \"build-report\"}"));
    EXPECT_EQ(0, b.result());
    EXPECT_NE(std::string::npos, b.text().find("json-c: "));
    Answer s(e.run("{\"command\": \"status-get\"}"));
    ASSERT_EQ(0, s.result());
    json_object *x;
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "pid", &x));
    EXPECT_EQ(getpid(), json_object_get_int(x));
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "uptime", &x));
    EXPECT_GE(json_object_get_int(x), 5);
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "reload", &x));
    EXPECT_GE(json_object_get_int(x), 2);
    EXPECT_LT(json_object_get_int(x), 5);
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "multi-threading-enabled", &x));
    EXPECT_TRUE(json_object_get_boolean(x));
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "thread-pool-size", &x));
    EXPECT_EQ(3, json_object_get_int(x));
    ASSERT_TRUE(json_object_object_get_ex(s.args(), "packet-queue-size", &x));
    EXPECT_EQ(64, json_object_get_int(x));
}

TEST(CtrlCommands, ConfigGetRedactsPasswords)
{
    Env e;
    Answer a(e.run("{\"command\": \"config-get\"}"));
    ASSERT_EQ(0, a.result());
    json_object *d, *h, *p, *v;
    ASSERT_TRUE(json_object_object_get_ex(a.args(), "Dhcp4", &d));
    ASSERT_TRUE(json_object_object_get_ex(d, "hosts-database", &h));
    ASSERT_TRUE(json_object_object_get_ex(h, "password", &p));
    EXPECT_STREQ("*****", json_object_get_string(p));
    ASSERT_TRUE(json_object_object_get_ex(h, "user", &p));
    EXPECT_STREQ("u", json_object_get_string(p));
    ASSERT_TRUE(json_object_object_get_ex(d, "valid-lifetime", &v));
    EXPECT_EQ(600, json_object_get_int(v));
    EXPECT_EQ(nullptr, strstr(json_object_to_json_string(a.o), "s3cret"));
}

TEST(CtrlCommands, ConfigTestAndSet)
{
    Env e;
    Answer t(e.run("{\"command\": \"config-test\", \"arguments\": {\"Dhcp4\": {\"valid-lifetime\": 77}}}"));
    EXPECT_EQ(0, t.result());
    EXPECT_EQ("Configuration seems sane.", t.text());
    Answer bad(e.run("{\"command\": \"config-test\", \"arguments\": {\"Dhcp4\": {\"subnet4\": "
                     "[{\"id\": 1, \"subnet\": \"192.0.2.0/24\", \"pools\": [{\"pool\": \"198.51.100.1 - "
                     "198.51.100.9\"}]}]}}}"));
    EXPECT_EQ(1, bad.result());
    EXPECT_EQ(0u, bad.text().rfind("Dhcp4.subnet4[0].pools[0]: ", 0)) << bad.text();
    Answer none(e.run("{\"command\": \"config-set\"}"));
    EXPECT_EQ(1, none.result());
    EXPECT_EQ("missing mandatory 'arguments' parameter", none.text());
    Answer nod(e.run("{\"command\": \"config-set\", \"arguments\": {\"Dhcp6\": {}}}"));
    EXPECT_EQ("missing mandatory 'Dhcp4' parameter", nod.text());
    Answer badset(e.run("{\"command\": \"config-set\", \"arguments\": {\"Dhcp4\": {\"valid-lifetime\": \"x\"}}}"));
    EXPECT_EQ(1, badset.result());
    EXPECT_EQ(0u, badset.text().rfind("Dhcp4.valid-lifetime: ", 0)) << badset.text();
    EXPECT_EQ(600u, e.cfg->subnets[0].valid_lft) << "the running config is kept";
    Answer set(e.run("{\"command\": \"config-set\", \"arguments\": {\"Dhcp4\": {\"valid-lifetime\": 77}}}"));
    EXPECT_EQ(0, set.result());
    EXPECT_EQ("Configuration successful.", set.text());
    EXPECT_EQ(0u, e.cfg->n_subnets);
    EXPECT_NE(nullptr, strstr(e.cfg->json_text, "77"));
}

TEST(CtrlCommands, ConfigWriteIsReloadableAndConfinedToTheConfigDirectory)
{
    Env e;
    Answer w(e.run("{\"command\": \"config-write\", \"arguments\": {\"filename\": \"out.json\"}}"));
    ASSERT_EQ(0, w.result()) << w.text();
    std::string out = e.dir + "/out.json";
    EXPECT_EQ("Configuration written to " + out + " successfully", w.text());
    cfg4 *c = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_load_file(out.c_str(), &c, err, sizeof(err))) << err;
    EXPECT_EQ(600u, c->subnets[0].valid_lft);
    EXPECT_STREQ("s3cret", c->hosts_dbs[0].conn.password) << "config-write keeps the passwords";
    cfg4_free(c);
    struct stat st;
    ASSERT_EQ(0, stat(out.c_str(), &st));
    EXPECT_EQ(0600u, st.st_mode & 0777);
    Answer d(e.run("{\"command\": \"config-write\"}"));
    EXPECT_EQ(0, d.result()) << d.text();
    EXPECT_EQ(0, access(e.config_path.c_str(), R_OK)) << "default: the -c file";
    Answer o(e.run("{\"command\": \"config-write\", \"arguments\": {\"filename\": \"/etc/x.json\"}}"));
    EXPECT_EQ(1, o.result());
    EXPECT_NE(std::string::npos, o.text().find("only to the directory of the configuration file"));
    Answer t(e.run("{\"command\": \"config-write\", \"arguments\": {\"filename\": 3}}"));
    EXPECT_EQ(1, t.result());
}

TEST(CtrlCommands, ShutdownDisableEnable)
{
    Env e;
    Answer bad(e.run("{\"command\": \"shutdown\", \"arguments\": {\"exit-value\": \"3\"}}"));
    EXPECT_EQ(1, bad.result());
    EXPECT_EQ(-1, e.shutdown_status);
    Answer s(e.run("{\"command\": \"shutdown\", \"arguments\": {\"exit-value\": 3}}"));
    EXPECT_EQ(0, s.result());
    EXPECT_EQ(3, e.shutdown_status);
    Answer neg(e.run("{\"command\": \"dhcp-disable\", \"arguments\": {\"max-period\": -1}}"));
    EXPECT_EQ(1, neg.result());
    EXPECT_EQ(0, e.disabled);
    Answer dis(e.run("{\"command\": \"dhcp-disable\", \"arguments\": {\"max-period\": 20, \"origin\": \"user\"}}"));
    EXPECT_EQ(0, dis.result());
    EXPECT_EQ(1, e.disabled);
    EXPECT_NEAR(time(nullptr) + 20, e.env.dhcp_enable_at, 1);
    Answer en(e.run("{\"command\": \"dhcp-enable\"}"));
    EXPECT_EQ(0, en.result());
    EXPECT_EQ(0, e.disabled);
    EXPECT_EQ(0, e.env.dhcp_enable_at);
    Answer r(e.run("{\"command\": \"leases-reclaim\", \"arguments\": {}}"));
    EXPECT_EQ(1, r.result());
    EXPECT_EQ("'remove' parameter is mandatory", r.text());
    Answer rt(e.run("{\"command\": \"leases-reclaim\", \"arguments\": {\"remove\": 1}}"));
    EXPECT_EQ("'remove' parameter must be a boolean", rt.text());
}

// The socket server over a real UNIX socket.
std::string talk(const std::string &path, const std::string &req, bool shut = true)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
    if (connect(fd, (sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return "<connect failed>";
    }
    size_t off = 0;
    while (off < req.size()) {
        ssize_t w = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (shut)
        shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    for (int i = 0; i < 1000; i++) {
        pollfd p{ fd, POLLIN, 0 };
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0)
            break;
        out.append(buf, (size_t)r);
    }
    close(fd);
    return out;
}

TEST(CtrlSocket, AnswersReplacesStaleSocketAndRemovesItsFile)
{
    Env e;
    std::string path = e.dir + "/ctrl.sock";
    // A stale socket file from a dead server.
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    strncpy(sa.sun_path, path.c_str(), sizeof(sa.sun_path) - 1);
    ASSERT_EQ(0, bind(stale, (sockaddr *)&sa, sizeof(sa)));
    close(stale);
    ctrl_server *cs = nullptr;
    char err[256];
    ASSERT_EQ(0, ctrl_server_start(&cs, path.c_str(), &e.env, err, sizeof(err))) << err;
    struct stat st;
    ASSERT_EQ(0, stat(path.c_str(), &st));
    EXPECT_EQ(0600u, st.st_mode & 0777);
    ctrl_server *second = nullptr;
    EXPECT_NE(0, ctrl_server_start(&second, path.c_str(), &e.env, err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "another server is listening")) << err;

    Answer a(json_tokener_parse(talk(path, "{\"command\": \"version-get\"}", false).c_str()));
    EXPECT_EQ(0, a.result()) << "answered without waiting for the client's EOF";
    Answer u(json_tokener_parse(talk(path, "{\"command\": \"nope\"}").c_str()));
    EXPECT_EQ(2, u.result());
    Answer t(json_tokener_parse(talk(path, "{\"command\": ").c_str()));
    EXPECT_EQ(1, t.result());
    Answer big(json_tokener_parse(talk(path, "{\"command\": \"x\", \"arguments\": {\"p\": \"" +
                                                 std::string(3 << 20, 'z') + "\"}}").c_str()));
    EXPECT_EQ(1, big.result());
    EXPECT_EQ("invalid command: the request is larger than 1048576 bytes", big.text());
    Answer again(json_tokener_parse(talk(path, "{\"command\": \"status-get\"}").c_str()));
    EXPECT_EQ(0, again.result());
    ctrl_server_stop(cs);
    EXPECT_NE(0, access(path.c_str(), F_OK)) << "socket file removed at stop";
}

TEST(CtrlSocket, RefusesAPathThatIsNotASocket)
{
    Env e;
    std::string path = e.dir + "/plain";
    std::ofstream(path) << "x";
    ctrl_server *cs = nullptr;
    char err[256];
    EXPECT_NE(0, ctrl_server_start(&cs, path.c_str(), &e.env, err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "is not a socket")) << err;
    EXPECT_EQ(0, access(path.c_str(), F_OK)) << "a regular file is never removed";
}

} // namespace
