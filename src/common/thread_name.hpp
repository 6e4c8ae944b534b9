#pragma once

#include <string>

namespace parley {

// Names the calling thread, so that `top -H`, perf and /proc/PID/task show
// which part of the node a thread serves. Linux keeps at most 15
// characters, so a longer name is cut.
void set_thread_name(const std::string& name);

}  // namespace parley
