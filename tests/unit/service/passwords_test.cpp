#include "service/passwords.hpp"

#include <gtest/gtest.h>

namespace parley::service {
namespace {

// Small parameters keep the test fast; the production defaults are settings.
PasswordHasher make_hasher() { return PasswordHasher(1, 8 * 1024); }

TEST(PasswordHasher, VerifiesOwnHash) {
  auto hasher = make_hasher();
  std::string hash = hasher.hash("s3cretpass");
  EXPECT_TRUE(hasher.verify(hash, "s3cretpass"));
  EXPECT_FALSE(hasher.verify(hash, "s3cretpasS"));
}

TEST(PasswordHasher, UsesArgon2id) {
  auto hasher = make_hasher();
  EXPECT_EQ(hasher.hash("s3cretpass").rfind("$argon2id$", 0), 0u);
}

TEST(PasswordHasher, SaltsEachHash) {
  auto hasher = make_hasher();
  EXPECT_NE(hasher.hash("same password"), hasher.hash("same password"));
}

TEST(PasswordHasher, RejectsGarbageHash) {
  auto hasher = make_hasher();
  EXPECT_FALSE(hasher.verify("not a hash", "anything"));
  EXPECT_FALSE(hasher.verify("", ""));
}

TEST(PasswordHasher, DummyHashMatchesNoCommonPassword) {
  auto hasher = make_hasher();
  EXPECT_FALSE(hasher.verify(hasher.dummy_hash(), ""));
  EXPECT_FALSE(hasher.verify(hasher.dummy_hash(), "password"));
}

}  // namespace
}  // namespace parley::service
