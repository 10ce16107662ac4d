#include "pipeline/handover.h"

#include <gtest/gtest.h>

namespace camwatch {
namespace {

TEST(MailboxTest, AGivenBackHandoverComesBackEmptyWithItsSpace) {
  Mailbox mailbox;
  EXPECT_TRUE(mailbox.spare().events.empty());  // nothing given back yet: a new one
  Handover used;
  used.events.resize(100);
  used.records.resize(10);
  const std::size_t events_space = used.events.capacity();
  mailbox.giveBack(std::move(used));
  Handover spare = mailbox.spare();
  EXPECT_TRUE(spare.events.empty());
  EXPECT_TRUE(spare.records.empty());
  EXPECT_EQ(spare.events.capacity(), events_space);
  EXPECT_EQ(mailbox.spare().events.capacity(), 0U);  // each spare is handed out once
}

TEST(MailboxTest, KeepsAFewSparesOnly) {
  Mailbox mailbox;
  for (int i = 0; i < 10; ++i) {
    Handover used;
    used.events.resize(1);
    mailbox.giveBack(std::move(used));
  }
  int spares = 0;
  while (mailbox.spare().events.capacity() > 0) ++spares;
  EXPECT_EQ(spares, 4);
}

}  // namespace
}  // namespace camwatch
