// Per-client serialization: one worker per client, one parked packet,
// replacement of a parked packet is reported so it can be dropped.
#include <gtest/gtest.h>

#include <cstring>

extern "C" {
#include "server/client_handler.h"
}

static struct client_key key_of(const char *s)
{
    struct client_key k = {};
    k.type = 2;
    k.len = (uint8_t)strlen(s);
    memcpy(k.id, s, k.len);
    return k;
}

TEST(ClientHandler, SecondPacketIsParkedAndHandedOver)
{
    struct client_handler h;
    ASSERT_EQ(0, client_handler_init(&h, 2));
    struct client_key a = key_of("aa"), b = key_of("bb");
    struct rx_pkt p1, p2, p3, p4;
    struct rx_pkt *dropped;
    EXPECT_TRUE(client_handler_acquire(&h, &a, &p1, &dropped));
    EXPECT_EQ(nullptr, dropped);
    // Another client is independent.
    EXPECT_TRUE(client_handler_acquire(&h, &b, &p2, &dropped));
    // Same client while busy: parked.
    EXPECT_FALSE(client_handler_acquire(&h, &a, &p3, &dropped));
    EXPECT_EQ(nullptr, dropped);
    // A newer one replaces the parked one, which the caller must drop.
    EXPECT_FALSE(client_handler_acquire(&h, &a, &p4, &dropped));
    EXPECT_EQ(&p3, dropped);
    // Finishing p1 hands over p4; finishing p4 releases the client.
    EXPECT_EQ(&p4, client_handler_release(&h, &a));
    EXPECT_EQ(nullptr, client_handler_release(&h, &a));
    EXPECT_EQ(nullptr, client_handler_release(&h, &b));
    // Released: can be acquired again.
    EXPECT_TRUE(client_handler_acquire(&h, &a, &p1, &dropped));
    EXPECT_EQ(nullptr, client_handler_release(&h, &a));
    client_handler_destroy(&h);
}

TEST(ClientHandler, KeysDifferByType)
{
    struct client_handler h;
    ASSERT_EQ(0, client_handler_init(&h, 2));
    struct client_key a = key_of("same"), c = key_of("same");
    c.type = 1;
    struct rx_pkt p1, p2;
    struct rx_pkt *dropped;
    EXPECT_TRUE(client_handler_acquire(&h, &a, &p1, &dropped));
    EXPECT_TRUE(client_handler_acquire(&h, &c, &p2, &dropped));
    client_handler_release(&h, &a);
    client_handler_release(&h, &c);
    client_handler_destroy(&h);
}
