#include "common/thread_name.hpp"

#include <pthread.h>

namespace parley {

void set_thread_name(const std::string& name) {
  constexpr std::size_t kMaxLength = 15;
  // Failure only means the thread keeps the process's name.
  pthread_setname_np(pthread_self(), name.substr(0, kMaxLength).c_str());
}

}  // namespace parley
