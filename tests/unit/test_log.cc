// Log output switching (server/log.c): a reload must never close a
// descriptor another thread may still be writing to.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "server/log.h"

namespace {

size_t open_fds()
{
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == nullptr)
        return 0;
    while (readdir(d) != nullptr)
        n++;
    closedir(d);
    return n;
}

std::string slurp(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(Log, SameOutputKeepsItsDescriptorAndANewOneNeverClosesTheOld)
{
    char tmpl[] = "/tmp/dora-log-XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(tmpl));
    std::string dir = tmpl, a = dir + "/a.log", b = dir + "/b.log";

    ASSERT_EQ(0, log_set_output(a.c_str()));
    size_t with_a = open_fds();
    log_always("TEST_ONE", "first");
    ASSERT_EQ(0, log_set_output(a.c_str()));  // a reload with the same output
    EXPECT_EQ(with_a, open_fds()) << "the same file must not be opened again";
    log_always("TEST_TWO", "second");

    ASSERT_EQ(0, log_set_output(b.c_str()));  // the output changed
    EXPECT_EQ(with_a + 1, open_fds()) << "the old descriptor stays open for late writers";
    log_always("TEST_THREE", "third");

    std::string la = slurp(a), lb = slurp(b);
    EXPECT_NE(std::string::npos, la.find("TEST_ONE first"));
    EXPECT_NE(std::string::npos, la.find("TEST_TWO second"));
    EXPECT_EQ(std::string::npos, la.find("TEST_THREE"));
    EXPECT_NE(std::string::npos, lb.find("TEST_THREE third"));

    EXPECT_EQ(0, log_set_output("stdout"));
    unlink(a.c_str());
    unlink(b.c_str());
    rmdir(dir.c_str());
}

}  // namespace
