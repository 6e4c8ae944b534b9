#include "service/passwords.hpp"

#include <stdexcept>

#include <sodium.h>

namespace parley::service {

PasswordHasher::PasswordHasher(int ops_limit, std::size_t mem_limit_kib)
    : ops_limit_(static_cast<unsigned long long>(ops_limit)),
      mem_limit_bytes_(mem_limit_kib * 1024) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  char random_password[32];
  randombytes_buf(random_password, sizeof random_password);
  dummy_hash_ = hash(std::string_view(random_password, sizeof random_password));
}

std::string PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_bytes_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("Argon2id hashing failed: out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view stored_hash, std::string_view password) const {
  std::string terminated(stored_hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

}  // namespace parley::service
