#include "process_stats.hpp"

#include <fstream>
#include <sstream>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

namespace parley::bench {
namespace {

struct StatFields {
  pid_t parent = 0;
  long ticks = 0;
  // cutime + cstime: the CPU time of children that exited and were reaped.
  long reaped_children_ticks = 0;
};

// Parses /proc/<pid>/stat. The command name in field 2 may contain spaces
// and parentheses, so fields are counted from the last ')'.
bool read_stat(pid_t pid, StatFields& fields) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string state;
  long parent = 0;
  rest >> state >> parent;
  std::string skipped;
  // Fields 5 to 13, then utime (14) and stime (15).
  for (int i = 5; i <= 13; ++i) rest >> skipped;
  long user = 0;
  long system = 0;
  long children_user = 0;
  long children_system = 0;
  rest >> user >> system >> children_user >> children_system;
  if (!rest) return false;
  fields.parent = static_cast<pid_t>(parent);
  fields.ticks = user + system;
  fields.reaped_children_ticks = children_user + children_system;
  return true;
}

long status_kib(pid_t pid, const std::string& key) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with(key)) return std::stol(line.substr(key.size()));
  }
  return 0;
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    StatFields fields;
    if (read_stat(static_cast<pid_t>(pid), fields) && fields.parent == parent) {
      children.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  return children;
}

}  // namespace

ProcessSample sample_process(const WatchedProcess& process) {
  ProcessSample sample;
  const double tick_seconds = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  StatFields fields;
  if (!read_stat(process.pid, fields)) return sample;
  sample.alive = true;
  long ticks = fields.ticks;
  sample.rss_kib = status_kib(process.pid, "VmRSS:");
  sample.peak_rss_kib = status_kib(process.pid, "VmHWM:");
  if (process.include_children) {
    // Children that exited, such as the backends of a killed node, keep
    // counting through the parent's cutime and cstime, so their exit does
    // not lower the sum. A child reaped between this read and the scan
    // below is missed in this one sample.
    ticks += fields.reaped_children_ticks;
    for (pid_t child : children_of(process.pid)) {
      StatFields child_fields;
      if (read_stat(child, child_fields)) ticks += child_fields.ticks;
      sample.rss_kib += status_kib(child, "VmRSS:");
    }
  }
  sample.cpu_seconds = static_cast<double>(ticks) * tick_seconds;
  return sample;
}

SocketMemory sample_socket_memory() {
  SocketMemory memory;
  std::ifstream file("/proc/net/sockstat");
  std::string line;
  while (std::getline(file, line)) {
    if (!line.starts_with("TCP:")) continue;
    std::istringstream words(line.substr(4));
    std::string key;
    long value = 0;
    while (words >> key >> value) {
      if (key == "inuse") memory.sockets_in_use = value;
      if (key == "mem") memory.buffer_pages = value;
    }
  }
  return memory;
}

long raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace parley::bench
