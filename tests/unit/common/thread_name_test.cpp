#include "common/thread_name.hpp"

#include <array>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <pthread.h>

namespace parley {
namespace {

// Names a new thread with set_thread_name() and returns the name the kernel
// then reports for it.
std::string name_seen_after(const std::string& requested) {
  std::string seen;
  std::thread thread([&] {
    set_thread_name(requested);
    std::array<char, 64> name{};
    pthread_getname_np(pthread_self(), name.data(), name.size());
    seen = name.data();
  });
  thread.join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThread) {
  EXPECT_EQ(name_seen_after("parley-io-1"), "parley-io-1");
}

TEST(ThreadNameTest, CutsNamesLongerThanLinuxKeeps) {
  EXPECT_EQ(name_seen_after("parley-history-writer"), "parley-history-");
}

}  // namespace
}  // namespace parley
