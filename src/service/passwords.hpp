#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace parley::service {

// Argon2id password hashing through libsodium (crypto_pwhash_str), which
// stores the algorithm, parameters and salt in the hash string.
//
// Hashing takes tens of milliseconds by design, so it runs on the hashing
// thread pool, never on an I/O thread. Thread-safe.
class PasswordHasher {
 public:
  PasswordHasher(int ops_limit, std::size_t mem_limit_kib);

  // Throws std::runtime_error when libsodium cannot allocate the memory.
  std::string hash(std::string_view password) const;
  bool verify(std::string_view stored_hash, std::string_view password) const;

  // A hash of a random password, verified when the account does not exist
  // so that a failed login takes the same time either way.
  const std::string& dummy_hash() const { return dummy_hash_; }

 private:
  unsigned long long ops_limit_;
  std::size_t mem_limit_bytes_;
  std::string dummy_hash_;
};

}  // namespace parley::service
