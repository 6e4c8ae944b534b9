#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace parley::bench {

// A process the tool watches: a node, the broker, PostgreSQL or the tool
// itself. For PostgreSQL, `pid` is the postmaster, and its children (the
// backends and background workers) are counted with it.
struct WatchedProcess {
  std::string name;
  pid_t pid = 0;
  bool include_children = false;
};

// CPU time and memory of one watched process at one moment.
struct ProcessSample {
  double cpu_seconds = 0;  // utime + stime, children included when asked
  long rss_kib = 0;        // VmRSS
  long peak_rss_kib = 0;   // VmHWM
  bool alive = false;
};

// Reads /proc/<pid>/stat (fields 14 and 15, utime and stime, in clock
// ticks) and /proc/<pid>/status (VmRSS, VmHWM). For include_children it
// adds every process whose parent is `pid`, found by scanning /proc, and
// the parent's cutime and cstime (fields 16 and 17) for reaped children.
ProcessSample sample_process(const WatchedProcess& process);

// Kernel TCP memory from /proc/net/sockstat: sockets in use and the pages
// of socket buffers (the "mem" field), for the whole machine.
struct SocketMemory {
  long sockets_in_use = 0;
  long buffer_pages = 0;
};
SocketMemory sample_socket_memory();

// Raises RLIMIT_NOFILE to its hard limit; returns the new soft limit.
long raise_file_limit();

}  // namespace parley::bench
